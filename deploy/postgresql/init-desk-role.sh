#!/bin/sh
# Creates the role the relink desk keeps its sessions as (DESK_SESSION_DATABASE_URL), and its one database, owned by
# it, in the PostgreSQL the Temporal server uses. The role may log in and own that database, nothing more (no
# SUPERUSER, CREATEDB or CREATEROLE, no grant on Temporal's databases); no other role may connect to it (CONNECT and
# TEMPORARY revoked from PUBLIC), so the Temporal role cannot read the desk's sessions. The desk makes its table
# itself at start. Safe to run again (the password is set again).
#
# Run by hand as the cluster's superuser (README, "Desk sessions" in docs/operations.md) and by the desk's
# PostgreSQL test. Settings: DESK_DB_USER (relink_desk), DESK_DB_NAME (relink_desk), DESK_DB_PASSWORD or
# DESK_DB_PASSWORD_FILE (- for stdin: secret-files.sh); psql reaches the cluster as the superuser through the usual PG* variables.
set -eu
here=$(dirname "$0")
if [ -f "$here/secret-files.sh" ]; then . "$here/secret-files.sh"; else . "$here/../secret-files.sh"; fi
load_secret_files DESK_DB_PASSWORD
: "${DESK_DB_USER:=relink_desk}"
: "${DESK_DB_NAME:=relink_desk}"
: "${DESK_DB_PASSWORD:?set DESK_DB_PASSWORD_FILE (the desk role password)}"

psql -v ON_ERROR_STOP=1 -q -d postgres -U "${PGUSER:-${POSTGRES_USER:-postgres}}" --set=role="$DESK_DB_USER" --set=db="$DESK_DB_NAME" --set=password="$DESK_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', :'db') \gexec
SQL
echo "postgresql: role $DESK_DB_USER owns database $DESK_DB_NAME (the desk's sessions), and nobody else may connect"
