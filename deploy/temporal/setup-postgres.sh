#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to the server's version
# with temporal-sql-tool. Every step is idempotent (an existing database is kept, applied schema
# versions are skipped), so it runs on every start: Compose's temporal-admin-tools runs it with
# the schema the admin-tools image ships, `npm run cluster` with the schema folder of the same
# server module version (SCHEMA_DIR) and the tool built from it.
# Environment: POSTGRES_SEEDS, DB_PORT (5432), POSTGRES_USER, SQL_PASSWORD, SCHEMA_DIR
# (/etc/temporal/schema).
set -eu

schema_dir=${SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

# PostgreSQL may still be starting: `create` is the first call, retried until it connects.
echo "waiting for PostgreSQL at $POSTGRES_SEEDS:${DB_PORT:-5432}"
attempt=1
until sql_tool --db temporal create; do
  if [ "$attempt" -ge 60 ]; then
    echo "PostgreSQL did not answer after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

for pair in temporal:temporal temporal_visibility:visibility; do
  database=${pair%%:*}
  schema=${pair##*:}
  echo "database $database: create, set up, update schema"
  sql_tool --db "$database" create
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "$schema_dir/$schema/versioned"
done
echo "PostgreSQL schemas are ready"
