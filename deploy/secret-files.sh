# shellcheck shell=sh
# Sourced by the setup and start scripts: for each NAME given, when NAME_FILE is set, NAME is read from that file
# (a compose secret under /run/secrets, or a systemd credential), so no password sits in a compose file, a unit or
# `docker inspect`. Setting both is refused: which one wins would be a guess. NAME_FILE=- reads NAME from stdin, for
# `sudo -u postgres NAME_FILE=- script < file` where the file is root's own (the postgres user could not open it by
# name, nor as /dev/stdin).
load_secret_files() {
  for name in "$@"; do
    file_var="${name}_FILE"
    eval "file=\${$file_var:-}"
    eval "value=\${$name:-}"
    if [ -n "$file" ]; then
      if [ -n "$value" ]; then
        echo "set $name or $file_var, not both" >&2
        exit 2
      fi
      if [ "$file" = - ]; then
        IFS= read -r value || [ -n "$value" ]
        export "$name=$value"
        continue
      fi
      if [ ! -r "$file" ]; then
        echo "$file_var names $file, which cannot be read" >&2
        exit 2
      fi
      # A trailing newline (echo > file) is not part of the password.
      value=$(cat "$file")
      export "$name=$value"
    fi
  done
}
