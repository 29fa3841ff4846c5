#!/usr/bin/env bash
# Commit the machine-written archive/ after the scheduled watch, so that the next build publishes it.
# The commit is recognisable (author "dutylist archive <archive@invalid>", trailer "Archive-Job: make watch", nothing
# outside archive/): scripts/guard-archive.sh lets a merge request change archive/ only through such commits.
# Pushes to ARCHIVE_PUSH_URL (GitLab: https://oauth2:TOKEN@host/group/project.git, a project access token with
# write_repository) or, on GitHub Actions, to origin with the job's token; otherwise keeps the commit local
# and the archive only in the job's artifacts.
set -euo pipefail
if [ -z "$(git status --porcelain -- archive)" ]; then
    echo "存档没有变化，无需提交。"
    exit 0
fi
git add -- archive
git -c user.name="dutylist archive" -c user.email="archive@invalid" commit -q \
    -m "存档：定时任务更新 archive/" -m "Archive-Job: make watch" -- archive
branch="${ARCHIVE_BRANCH:-${CI_DEFAULT_BRANCH:-main}}"
if [ -n "${ARCHIVE_PUSH_URL:-}" ]; then
    git push -q "$ARCHIVE_PUSH_URL" "HEAD:$branch"
elif [ "${GITHUB_ACTIONS:-}" = "true" ]; then
    git push -q origin "HEAD:$branch"
else
    echo "未设置 ARCHIVE_PUSH_URL：存档已在本地提交，未推送；本次存档见任务的 artifacts（archive/）。"
    exit 0
fi
echo "存档已提交并推送到 $branch。"
