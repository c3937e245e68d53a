#!/bin/sh
# Creates the role the Temporal server connects as, and its two databases, owned by it: the server and the schema
# job never hold the superuser's password. The role may log in and own its databases, nothing more (no SUPERUSER,
# CREATEDB or CREATEROLE). Safe to run again.
#
# Run by the postgres image on a fresh volume (mounted in /docker-entrypoint-initdb.d), by `npm run prod-check`,
# and by hand on a VM (README, "One VM without Docker"). Settings: TEMPORAL_DB_USER, TEMPORAL_DB_PASSWORD or
# TEMPORAL_DB_PASSWORD_FILE (- for stdin: secret-files.sh); psql reaches the cluster as the superuser through the usual PG* variables.
set -eu
here=$(dirname "$0")
# Beside this script in the postgres container (docker-compose.yml mounts both), one level up in the repository.
if [ -f "$here/secret-files.sh" ]; then . "$here/secret-files.sh"; else . "$here/../secret-files.sh"; fi
load_secret_files TEMPORAL_DB_PASSWORD
: "${TEMPORAL_DB_USER:=temporal}"
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD_FILE (the Temporal role password)}"

psql -v ON_ERROR_STOP=1 -q -d postgres -U "${PGUSER:-${POSTGRES_USER:-postgres}}" --set=role="$TEMPORAL_DB_USER" --set=password="$TEMPORAL_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', db, :'role')
  FROM unnest(ARRAY['temporal', 'temporal_visibility']) AS db
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db) \gexec
SQL
echo "postgresql: role $TEMPORAL_DB_USER owns databases temporal and temporal_visibility"
