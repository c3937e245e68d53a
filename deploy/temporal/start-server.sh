#!/bin/sh
# Starts the Temporal server on deploy/temporal/config/relink.yaml, with the PostgreSQL password read from
# POSTGRES_PWD_FILE. The entrypoint of the `temporal` service in docker-compose.yml, of the systemd unit and of
# `npm run prod-check`.
set -eu
here=$(dirname "$0")
. "$here/../secret-files.sh"
load_secret_files POSTGRES_PWD
# Bound to every interface (a container), the other nodes and the cluster metadata need an address that reaches
# this one: the container's own, as temporalio/server's entrypoint does.
if [ "${BIND_ON_IP:-}" = 0.0.0.0 ] && [ -z "${TEMPORAL_BROADCAST_ADDRESS:-}" ]; then
  TEMPORAL_BROADCAST_ADDRESS=$(getent hosts "$(hostname)" | awk '{print $1; exit}')
  export TEMPORAL_BROADCAST_ADDRESS
fi
exec "${TEMPORAL_SERVER_BIN:-temporal-server}" --config-file "${TEMPORAL_SERVER_CONFIG:-$here/config/relink.yaml}" start
