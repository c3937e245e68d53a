#!/bin/sh
# Makes the secret files docker-compose.yml reads (compose `secrets:`) in RELINK_SECRETS_DIR (./secrets), a directory
# only its owner may enter. The files themselves are world-readable (0644) because compose mounts each file as it
# is, and the containers read them as their own unprivileged users (node, temporal, postgres); on the host the
# directory's 0700 keeps everyone else out. Generates what can be generated (the PostgreSQL passwords, a payload key) and
# leaves a file to fill in for the Alma API key. Never overwrites a file that exists: a new payload key would make
# every open relink unreadable, a new password would no longer match the database.
set -eu
dir=${RELINK_SECRETS_DIR:-./secrets}
mkdir -p "$dir"
chmod 700 "$dir"
umask 022

random() { head -c "$1" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }
make() {
  if [ -e "$dir/$1" ]; then
    echo "kept      $dir/$1"
  else
    printf '%s\n' "$2" > "$dir/$1"
    echo "created   $dir/$1"
  fi
}

make postgres-superuser-password "$(random 24)"
make temporal-db-password "$(random 24)"
# id:base64 of 32 random bytes, as `npm run --silent codec-key` prints it.
make relink-codec-keys "k$(date +%Y%m%d):$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
make temporal-ui-oidc-client-secret ''
# The secret of Alma's Webhooks integration profile: paste the same text into the profile (docs/operations.md).
make alma-webhook-secret "$(random 32)"
make alma-api-key ''
if [ ! -s "$dir/alma-api-key" ] || [ "$(tr -d '\n' < "$dir/alma-api-key")" = '' ]; then
  echo "TO DO     put the Alma API key (Users and Bibs read/write) in $dir/alma-api-key"
fi
