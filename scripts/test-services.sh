#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis are running on this machine for the test suite, and that
# the test role exists. Starts them when installed but stopped; installing them is
# scripts/system-packages.sh's job (called first by `make test`).
set -euo pipefail

PGUSER_NAME=${KTGS_TEST_PGUSER:-ktgs}
PGPASS=${KTGS_TEST_PGPASSWORD:-ktgs}
REDIS_PORT=${KTGS_TEST_REDIS_PORT:-6379}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- PostgreSQL ---------------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_lsclusters >/dev/null; then
    read -r version cluster _ < <(pg_lsclusters -h | head -n 1) || true
    if [ -z "${version:-}" ]; then
      version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
      cluster=main
      echo "ktgs: creating PostgreSQL cluster $version/$cluster"
      pg_createcluster "$version" "$cluster"
    fi
    echo "ktgs: starting PostgreSQL $version/$cluster"
    if [ "$(id -u)" -eq 0 ]; then
      pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
    else
      pg_ctlcluster "$version" "$cluster" start
    fi
  else
    echo "ktgs: PostgreSQL is not running and pg_ctlcluster is not available;" >&2
    echo "      start PostgreSQL on 127.0.0.1:5432 and run make test again." >&2
    exit 1
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "ktgs: PostgreSQL did not start" >&2; exit 1; }
fi

# The test role logs in with a password over TCP, which works under both the trust and
# the scram/md5 rules of a stock Debian pg_hba.conf; it may create the test databases.
if ! PGPASSWORD=$PGPASS psql -h 127.0.0.1 -U "$PGUSER_NAME" -d postgres -Atc "SELECT 1" >/dev/null 2>&1; then
  echo "ktgs: creating PostgreSQL role $PGUSER_NAME"
  as_postgres psql -v ON_ERROR_STOP=1 -q -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER_NAME') THEN
    CREATE ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASS';
  ELSE
    ALTER ROLE $PGUSER_NAME LOGIN CREATEDB PASSWORD '$PGPASS';
  END IF;
END \$\$;
SQL
  as_postgres psql -q -d postgres -c "CREATE DATABASE $PGUSER_NAME OWNER $PGUSER_NAME" 2>/dev/null || true
fi

# --- Redis --------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "ktgs: starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p /tmp/ktgs-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /tmp/ktgs-redis --logfile /tmp/ktgs-redis/redis.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { echo "ktgs: Redis did not start" >&2; exit 1; }
fi
echo "ktgs: PostgreSQL and Redis are ready"
