#!/usr/bin/env bash
# Installs the Debian packages a target needs when they are missing.
#   scripts/system-packages.sh venv PYTHON   what `PYTHON -m venv` needs (Debian splits
#                                          venv/ensurepip into python3.X-venv)
#   scripts/system-packages.sh run    gettext (catalogues), fonts + pango (PDF reports)
#   scripts/system-packages.sh test   the above + PostgreSQL, Redis, Chromium, poppler-utils
#                                     (pdftotext reads the PDF reports back in tests)
# Needs root (or passwordless sudo) only when something is actually missing.
set -euo pipefail

case "${1:-run}" in
  venv)
    python=${2:?usage: system-packages.sh venv PYTHON}
    # A Python built outside Debian (pyenv, a container image) ships ensurepip itself.
    "$python" -c 'import ensurepip, venv' 2>/dev/null && exit 0
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    want=("python$version-venv")
    ;;
  run) want=(gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0) ;;
  test)
    want=(gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0)
    want+=(postgresql redis-server chromium poppler-utils)
    ;;
  *) echo "usage: system-packages.sh venv PYTHON | run | test" >&2; exit 2 ;;
esac

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
export DEBIAN_FRONTEND=noninteractive
echo "ktgs: installing Debian packages: ${missing[*]}"
echo "      running: ${as_root[*]:+${as_root[*]} }apt-get update && ${as_root[*]:+${as_root[*]} }apt-get install -y --no-install-recommends ${missing[*]}"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
