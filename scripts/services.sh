#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis the integration tests use answer on 127.0.0.1; start the
# machine's own servers when they don't (never a second copy beside running ones).
set -euo pipefail

PGHOST=${SHOPBOT_TEST_PG_HOST:-127.0.0.1}
PGPORT=${SHOPBOT_TEST_PG_PORT:-5432}
REDIS_PORT=${SHOPBOT_TEST_REDIS_PORT:-6379}

if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q; then
  cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  if [ -z "$cluster" ]; then
    echo "PostgreSQL is not running on $PGHOST:$PGPORT and no cluster is installed" >&2
    exit 1
  fi
  echo "Starting PostgreSQL $cluster"
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "Starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/shopbot-tests.log
  for _ in $(seq 1 30); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 1; done
fi
pg_isready -h "$PGHOST" -p "$PGPORT"
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
