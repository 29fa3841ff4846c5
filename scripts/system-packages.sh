#!/usr/bin/env bash
# Debian packages the tests need: Chromium (never a downloaded browser), a CJK font, rsync and sshd for deploys.
set -euo pipefail
packages=(chromium fonts-wqy-microhei rsync openssh-server)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "测试需要的系统软件包尚未安装：${missing[*]} — 请以管理员身份运行：sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
