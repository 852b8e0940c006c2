#!/bin/sh
# Creates the `temporal` and `temporal_visibility` databases and brings their schemas up to the version of this
# admin-tools image. Safe to run on every `docker compose up`: existing databases are kept and only missing schema
# versions are applied, which is also how a Temporal upgrade migrates the schemas (see docs/production.md).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}" # read by temporal-sql-tool itself: never on a command line
DB_PORT=${DB_PORT:-5432}
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
  database=${pair%%:*}
  schema=${pair##*:}
  echo "Schema of database $database..."
  sql_tool --db "$database" create
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo 'Temporal schemas are up to date.'
