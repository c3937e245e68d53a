#!/bin/sh
# Creates the relink's namespace with its retention, and its five search attributes, once the server answers.
# Safe to run again: what exists is left as it is (a changed TEMPORAL_RETENTION is applied with `update`).
# The attribute names and types are those of src/contract/search-attributes.ts (test/deploy/compose.test.ts checks
# that they agree). Settings: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_RETENTION. Used by the
# temporal-namespace job of docker-compose.yml (temporalio/admin-tools), the systemd unit and `npm run prod-check`.
set -eu
TEMPORAL=${TEMPORAL_CLI:-temporal}
ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
RETENTION=${TEMPORAL_RETENTION:-30d}
SEARCH_ATTRIBUTES="RelinkPatronId=Keyword RelinkBarcodes=KeywordList RelinkStep=Keyword RelinkAwaiting=Keyword RelinkOutcome=Keyword"

# Runs a command until it succeeds, every 2 s, at most TEMPORAL_WAIT_TRIES times; prints its output. On giving up it
# says why ($1) and fails (set -e then stops the script, also when called inside $(...)).
retry() {
  why=$1
  shift
  tries=0
  until out=$("$@" 2>/dev/null); do
    tries=$((tries + 1))
    if [ "$tries" -ge "${TEMPORAL_WAIT_TRIES:-60}" ]; then
      echo "namespace: $why" >&2
      return 1
    fi
    sleep 2
  done
  printf '%s\n' "$out"
}

retry "the Temporal server at $ADDRESS did not answer" "$TEMPORAL" operator cluster health --address "$ADDRESS" >/dev/null

if "$TEMPORAL" operator namespace describe -n "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
  "$TEMPORAL" operator namespace update -n "$NAMESPACE" --retention "$RETENTION" --address "$ADDRESS" >/dev/null
  echo "namespace: $NAMESPACE exists (retention $RETENTION)"
else
  "$TEMPORAL" operator namespace create -n "$NAMESPACE" --retention "$RETENTION" --address "$ADDRESS" >/dev/null
  echo "namespace: $NAMESPACE created (retention $RETENTION)"
fi

# A new namespace reaches the server's namespace cache within seconds; until then it is "not found".
existing=$(retry "$NAMESPACE did not become usable" "$TEMPORAL" operator search-attribute list -n "$NAMESPACE" --address "$ADDRESS")
for pair in $SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  type=${pair#*=}
  if printf '%s\n' "$existing" | grep -q "^ *$name "; then
    echo "search attribute: $name exists"
  else
    "$TEMPORAL" operator search-attribute create -n "$NAMESPACE" --name "$name" --type "$type" \
      --address "$ADDRESS" >/dev/null
    echo "search attribute: $name ($type) created"
  fi
done
