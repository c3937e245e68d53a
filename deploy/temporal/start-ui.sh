#!/bin/sh
# The Web UI's entrypoint in docker-compose.yml: reads the OIDC client secret from TEMPORAL_AUTH_CLIENT_SECRET_FILE
# (a compose secret), then starts the temporalio/ui image's own start script.
set -eu
. /relink/secret-files.sh
load_secret_files TEMPORAL_AUTH_CLIENT_SECRET
exec ./start-ui-server.sh "$@"
