#!/usr/bin/env bash
# Refuse a merge request (pull request) that changes archive/ or data-history/ unless every commit that changes it
# is the scheduled job's own, as scripts/commit-archive.sh and commit-history.sh make them: author "dutylist archive
# <archive@invalid>" (or "dutylist history <history@invalid>"), trailer "Archive-Job: make watch" ("History-Job"),
# and nothing outside that folder. archive/ holds the copies the site shows as what an
# official page said on a date: an editor's change there would be an invented fact.
# The commits checked are those after the base: GUARD_BASE if set (GitHub passes the pull request's base), else the
# merge request's base on GitLab, else the default branch (fetched) for another branch's pipeline.
# A merge commit counts only for what it changes itself, so merging the default branch in (with the job's
# commits) is fine.
set -euo pipefail
JOB_TRAILER="make watch"

base="${GUARD_BASE:-${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}}"
if [ -z "$base" ] && [ -n "${CI_COMMIT_BRANCH:-}" ] && [ -n "${CI_DEFAULT_BRANCH:-}" ] \
        && [ "$CI_COMMIT_BRANCH" != "$CI_DEFAULT_BRANCH" ]; then
    git fetch -q origin "$CI_DEFAULT_BRANCH"
    base="$(git merge-base FETCH_HEAD HEAD)"
fi
if [ -z "$base" ]; then
    echo "不是合并请求，不检查 archive/ 和 data-history/ 的改动。"
    exit 0
fi
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
    echo "找不到合并请求的基准提交 $base：请在 CI 中取回完整历史（GIT_DEPTH 0 / fetch-depth: 0）。" >&2
    exit 2
fi
# Each machine-written folder, with the author and trailer its job's commit carries.
guard() {
    local folder="$1" job_author="$2" trailer_key="$3" what="$4" job="$5"
    if [ -z "$(git diff --name-only "$base" HEAD -- "$folder")" ]; then
        echo "合并请求没有改动 $folder/。"
        return 0
    fi
    local refused="" commit changed author trailer
    for commit in $(git rev-list "$base..HEAD"); do
        changed="$(git diff-tree -r --cc --no-commit-id --name-only "$commit")"
        if ! grep -q "^$folder/" <<<"$changed"; then
            continue
        fi
        author="$(git log -1 --format='%an <%ae>' "$commit")"
        trailer="$(git log -1 --format="%(trailers:key=$trailer_key,valueonly,separator=%x2C)" "$commit")"
        if [ "$author" != "$job_author" ] || [ "$trailer" != "$JOB_TRAILER" ] || grep -qv "^$folder/" <<<"$changed"; then
            refused+="  $(git log -1 --format='%h %an：%s' "$commit")"$'\n'
        fi
    done
    if [ -n "$refused" ]; then
        {
            echo "合并请求改动了 $folder/，但下列提交不是${job}（make watch）自己的提交："
            printf '%s' "$refused"
            echo "$folder/ 是${job}写入的$what，只能由该任务写入，不能在合并请求中修改。"
            echo "请撤销对 $folder/ 的改动后再推送：git restore --source=$base --staged --worktree -- $folder && git commit -m '撤销对 $folder/ 的改动'"
        } >&2
        return 1
    fi
    echo "$folder/ 的改动都来自${job}的提交。"
}

status=0
guard archive "dutylist archive <archive@invalid>" Archive-Job "官方文件副本" 定时存档任务 || status=1
guard data-history "dutylist history <history@invalid>" History-Job "状态变化记录" 定时状态记录任务 || status=1
exit $status
