#!/bin/sh
# Prints the Temporal role's powers, e.g. `superuser=f createdb=f createrole=f`: what an administrator (and
# `npm run prod-check`) checks after init-temporal-role.sh. psql reaches the cluster through the PG* variables.
set -eu
psql -XAt -d postgres -U "${PGUSER:-${POSTGRES_USER:-postgres}}" --set=role="${TEMPORAL_DB_USER:-temporal}" <<'SQL'
SELECT format('superuser=%s createdb=%s createrole=%s', rolsuper, rolcreatedb, rolcreaterole)
  FROM pg_roles WHERE rolname = :'role';
SQL
