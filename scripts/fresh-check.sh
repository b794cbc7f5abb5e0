#!/usr/bin/env bash
# make fresh-check: the README's two commands on a minimal Debian with nothing but Python
# and make, as a newcomer's machine is.
#
#   scripts/fresh-check.sh                  bookworm (make run, then make test) and trixie
#                                           (make run: Debian 13's Python 3.13)
#   scripts/fresh-check.sh bookworm:run     one release, the commands named after the colon
#
# For each release it builds a minimal root file system with debootstrap (minbase), copies
# this checkout in (tracked and untracked files, not what .gitignore names: no .venv, no
# var/), installs only `python3` and `make`, and then, inside a chroot:
#   1. leaves a broken .venv behind as a failed first attempt does (`python3 -m venv` with
#      no ensurepip), so the first `make run` must recover from it by itself;
#   2. runs `make run` until the Vietnamese login page answers, then stops it;
#   3. runs `make test` (where asked).
# It prints each step with its duration. Run as root (debootstrap, mount, chroot).
#
# What it reuses from this machine, so that it works wherever this machine installs
# packages: the apt mirror (from /etc/apt), pip's configuration and environment, the CA
# certificates and DNS settings. The chroot shares this machine's network: PostgreSQL and
# Redis already listening here on 127.0.0.1 are used by `make test` inside it instead of
# its own (it installs them, finds the ports answering and does not start them); the
# output says so. Its test database and Redis database are its own (ktgs_fresh, db 11).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${FRESH_DIR:-/var/tmp/ktgs-fresh}
PORT=${FRESH_PORT:-8765}
RUN_TIMEOUT=${FRESH_RUN_TIMEOUT:-1800}   # seconds for `make run` to serve the login page
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(bookworm:run,test trixie:run)

[ "$(id -u)" -eq 0 ] || { echo "fresh-check: run as root (debootstrap, mount, chroot)" >&2; exit 1; }

started=$(date +%s)
summary=()
step_start=0
step() { step_start=$(date +%s); echo; echo "=== fresh-check [$suite] $*"; }
step_done() {
  local took=$(( $(date +%s) - step_start ))
  summary+=("$(printf '%-9s %-44s %5ss  %s' "$suite" "$1" "$took" "$2")")
  echo "=== fresh-check [$suite] $1: $2 in ${took}s"
}

mirror() {
  # The first Debian mirror this machine's apt uses (deb822 or one-line format).
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n 1 || true)
  [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n 1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! command -v debootstrap >/dev/null; then
  echo "fresh-check: installing debootstrap on this machine"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi

root=""
cleanup() {
  [ -n "$root" ] || return 0
  # Stop whatever the chroot still runs (make run's web server and worker), then unmount.
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -9 "$pid" 2>/dev/null || true
  done
  for mnt in dev/pts dev/shm dev proc sys; do
    mountpoint -q "$root/$mnt" && umount -l "$root/$mnt" || true
  done
}
trap cleanup EXIT

in_chroot() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb $(env | grep -E '^(PIP|UV)_' | grep -v '^PIP_CERT=' | tr '\n' ' ') \
    PIP_CERT=/etc/host-ca-bundle.crt SSL_CERT_FILE=/etc/host-ca-bundle.crt \
    REQUESTS_CA_BUNDLE=/etc/host-ca-bundle.crt "$@"
}

for spec in "${suites[@]}"; do
  suite=${spec%%:*}
  commands=${spec#*:}
  [ "$commands" = "$spec" ] && commands=run,test
  root="$WORK/$suite"
  cleanup
  rm -rf "$root"
  mkdir -p "$root" "$WORK/cache-$suite"

  step "debootstrap --variant=minbase $suite from $(mirror)"
  debootstrap --variant=minbase --cache-dir="$WORK/cache-$suite" "$suite" "$root" "$(mirror)" \
    > "$WORK/$suite-debootstrap.log" 2>&1 || { tail -n 20 "$WORK/$suite-debootstrap.log"; exit 1; }
  step_done "debootstrap (minbase)" "ok"

  # This machine's package configuration: apt mirror (same URIs, this suite), pip's
  # configuration and certificates, DNS.
  rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$(mirror)" "$suite" "$(mirror)" "$suite" \
    > "$root/etc/apt/sources.list"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # This machine's CA bundle under a name of its own: Debian's ca-certificates package,
  # installed later in the chroot, rewrites /etc/ssl/certs/ca-certificates.crt.
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/host-ca-bundle.crt" 2>/dev/null || true
  [ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"
  [ -d /etc/xdg/pip ] && mkdir -p "$root/etc/xdg" && cp -r /etc/xdg/pip "$root/etc/xdg/"
  [ -d /root/.config/pip ] && mkdir -p "$root/root/.config" && cp -r /root/.config/pip "$root/root/.config/"
  # A chroot must not start daemons from package scripts (Debian's policy-rc.d convention):
  # PostgreSQL's package would otherwise try to start a second server on a taken port.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"

  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --bind /dev "$root/dev"
  mount --bind /dev/pts "$root/dev/pts"
  mountpoint -q /dev/shm && mount --bind /dev/shm "$root/dev/shm"

  step "apt-get install python3 make (nothing else)"
  in_chroot sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make' \
    > "$WORK/$suite-base.log" 2>&1 || { tail -n 20 "$WORK/$suite-base.log"; exit 1; }
  python_version=$(in_chroot python3 --version)
  step_done "install python3 make" "$python_version"

  step "copy the checkout to /root/ktgs"
  mkdir -p "$root/root/ktgs"
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar cf - 2>/dev/null) \
    | tar xf - -C "$root/root/ktgs"
  step_done "copy checkout" "$(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet HEAD || echo ' + uncommitted changes')"

  step "a failed first attempt: python3 -m venv .venv without ensurepip"
  if in_chroot sh -c 'cd /root/ktgs && python3 -m venv .venv' > "$WORK/$suite-broken-venv.log" 2>&1; then
    step_done "broken venv left behind" "no failure to recover from (venv worked)"
  else
    if [ -e "$root/root/ktgs/.venv/bin/python" ]; then
      step_done "broken venv left behind" "failed as on a fresh Debian: .venv/bin/python without pip"
    else
      step_done "broken venv left behind" "failed, no .venv left"
    fi
  fi

  if [[ ",$commands," == *,run,* ]]; then
    step "make run PORT=$PORT until the login page answers"
    log="$WORK/$suite-make-run.log"
    in_chroot sh -c "cd /root/ktgs && exec make run PORT=$PORT" > "$log" 2>&1 &
    runner=$!
    answered=""
    for _ in $(seq 1 "$RUN_TIMEOUT"); do
      if ! kill -0 "$runner" 2>/dev/null; then break; fi
      if python3 - "$PORT" <<'PY' 2>/dev/null; then answered=yes; break; fi
import sys, urllib.request
page = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/login/", timeout=5).read().decode()
sys.exit(0 if "Đăng nhập" in page else 1)
PY
      sleep 1
    done
    if [ -z "$answered" ]; then
      tail -n 40 "$log"
      step_done "make run" "FAILED (log: $log)"
      printf '%s\n' "${summary[@]}"
      exit 1
    fi
    grep -E "^ktgs:|creating|installing" "$log" | head -n 20 || true
    step_done "make run (login page in Vietnamese)" "ok, log: $log"
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
      [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    wait "$runner" 2>/dev/null || true
  fi

  if [[ ",$commands," == *,test,* ]]; then
    step "make test"
    echo "    note: PostgreSQL and Redis already listening on this machine's 127.0.0.1 are shared"
    echo "    with the chroot; its suite uses its own database ktgs_fresh and Redis db 11"
    log="$WORK/$suite-make-test.log"
    if in_chroot sh -c 'cd /root/ktgs && make test TEST_DATABASE_URL=postgres://ktgs:ktgs@127.0.0.1:5432/ktgs_fresh TEST_REDIS_URL=redis://127.0.0.1:6379/11' \
        > "$log" 2>&1; then
      step_done "make test" "$(grep -E '[0-9]+ passed' "$log" | tail -n 1 | tr -d '=')"
    else
      tail -n 40 "$log"
      step_done "make test" "FAILED (log: $log)"
      printf '%s\n' "${summary[@]}"
      exit 1
    fi
  fi
  cleanup
done

echo
echo "=== fresh-check summary (total $(( $(date +%s) - started ))s)"
printf '%s\n' "${summary[@]}"
