#!/usr/bin/env bash
# Prints the Python interpreter ktgs uses: $PYTHON when set, else the first of python3,
# python3.13, python3.12, python3.11 whose version is supported (3.11 to 3.13, the range
# Django 5.2 and the pinned packages support). Fails with a message otherwise.
set -euo pipefail

# Never the project's own venv (make run puts its bin/ first on PATH): a venv left broken
# by a failed first attempt must be rebuilt from a real interpreter.
venv_bin=$(cd "$(dirname "$0")/.." && pwd)/.venv/bin
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$venv_bin" | paste -sd: -)

supported() {
  "$1" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null
}

if [ -n "${PYTHON:-}" ]; then
  candidates=("$PYTHON")
else
  candidates=(python3 python3.13 python3.12 python3.11)
fi
for candidate in "${candidates[@]}"; do
  if command -v "$candidate" >/dev/null && supported "$candidate"; then
    command -v "$candidate"
    exit 0
  fi
done
found=$("${candidates[0]}" --version 2>/dev/null || echo "no ${candidates[0]}")
echo "ktgs needs Python 3.11, 3.12 or 3.13 (found: $found)." >&2
echo "      install one (apt-get install python3) or name it: make run PYTHON=/path/to/python3.12" >&2
exit 1
