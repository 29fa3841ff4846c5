#!/usr/bin/env bash
# Commit the machine-written data-history/ after `dutylist history` in the scheduled watch, as
# scripts/commit-archive.sh does for archive/, so that the next build shows and publishes the new rows.
# The commit is recognisable: author "dutylist history <history@invalid>", trailer "History-Job: make watch",
# nothing outside data-history/. Pushes to ARCHIVE_PUSH_URL (GitLab: a project access token with write_repository)
# or, on GitHub Actions, to origin with the job's token; otherwise keeps the commit local.
set -euo pipefail
if [ -z "$(git status --porcelain -- data-history)" ]; then
    echo "状态历史没有变化，无需提交。"
    exit 0
fi
git add -- data-history
git -c user.name="dutylist history" -c user.email="history@invalid" commit -q \
    -m "状态历史：定时任务记录 data-history/" -m "History-Job: make watch" -- data-history
branch="${ARCHIVE_BRANCH:-${CI_DEFAULT_BRANCH:-main}}"
if [ -n "${ARCHIVE_PUSH_URL:-}" ]; then
    git push -q "$ARCHIVE_PUSH_URL" "HEAD:$branch"
elif [ "${GITHUB_ACTIONS:-}" = "true" ]; then
    git push -q origin "HEAD:$branch"
else
    echo "未设置 ARCHIVE_PUSH_URL：状态历史已在本地提交，未推送；本次记录见任务的 artifacts（data-history/）。"
    exit 0
fi
echo "状态历史已提交并推送到 $branch。"
