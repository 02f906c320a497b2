#!/usr/bin/env bash
# The Debian packages the project needs beyond Python: Chromium for the browser tests,
# docker-compose to validate the deployment file, Redis and PostgreSQL servers/clients for the
# integration tests. Installs the missing ones when run as root with apt; otherwise prints the
# exact command and fails, so `make setup` never leaves a half-ready machine silently.
set -euo pipefail

# command -> Debian package
declare -A NEEDED=(
  [chromium]=chromium
  [docker-compose]=docker-compose
  [redis-server]=redis-server
  [redis-cli]=redis-tools
  [pg_isready]=postgresql-client
  [pg_ctlcluster]=postgresql
)

missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done
# Fonts so screenshots of the store and console show text (Chromium pulls none by itself).
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
# A Chinese font (issue 20): without one Chromium draws the widget's Chinese as empty boxes.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with:  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
