#!/usr/bin/env bash
# Installs the Debian packages a target needs when they are missing.
#   scripts/system-packages.sh run    gettext (catalogues), fonts + pango (PDF reports)
#   scripts/system-packages.sh test   the above + PostgreSQL, Redis, Chromium, poppler-utils
#                                     (pdftotext reads the PDF reports back in tests)
# Needs root (or passwordless sudo) only when something is actually missing.
set -euo pipefail

want=(gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0)
if [ "${1:-run}" = "test" ]; then
  want+=(postgresql redis-server chromium poppler-utils)
fi

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "ktgs: missing Debian packages: ${missing[*]}" >&2
  echo "      install them as root:  apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "ktgs: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
