#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to the image's version.
# Every step is idempotent (existing databases and newer schema versions are left alone), so
# Compose runs this on every `up`.
set -eu

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

echo "waiting for PostgreSQL at $POSTGRES_SEEDS:${DB_PORT:-5432}"
until nc -z "$POSTGRES_SEEDS" "${DB_PORT:-5432}"; do sleep 1; done

for pair in temporal:temporal temporal_visibility:visibility; do
  database=${pair%%:*}
  schema=${pair##*:}
  echo "database $database: create, set up, update schema"
  sql_tool --db "$database" create
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo "PostgreSQL schemas are ready"
