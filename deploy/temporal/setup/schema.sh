#!/bin/sh
# Creates or updates the Temporal schema in PostgreSQL: the default store (DBNAME, temporal) and SQL visibility
# (VISIBILITY_DBNAME, temporal_visibility), with the schemas built into temporal-sql-tool at the server's release.
# Safe to run again: setup-schema only adds the version tables when missing, and update-schema applies only the
# versions not applied yet, so an upgrade of the server is this script again, then the new server.
#
# The databases belong to the Temporal role and already exist (deploy/postgresql/init-temporal-role.sh), so this
# connects as that role, never as the superuser. Settings: POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD or
# POSTGRES_PWD_FILE. Used by the temporal-schema job of docker-compose.yml (temporalio/admin-tools), the systemd
# unit and `npm run prod-check`.
set -eu
here=$(dirname "$0")
. "$here/../../secret-files.sh"
load_secret_files POSTGRES_PWD
: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS (the PostgreSQL host)}"
: "${POSTGRES_USER:?set POSTGRES_USER (the Temporal role)}"
SQL_TOOL=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}

sql() {
  SQL_PASSWORD="${POSTGRES_PWD:-}" "$SQL_TOOL" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" \
    -u "$POSTGRES_USER" "$@"
}

for store in "temporal:${DBNAME:-temporal}" "visibility:${VISIBILITY_DBNAME:-temporal_visibility}"; do
  schema=${store%%:*}
  db=${store#*:}
  echo "schema: $db (postgresql/v12/$schema)"
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema --schema-name "postgresql/v12/$schema"
done
echo "schema: up to date"
