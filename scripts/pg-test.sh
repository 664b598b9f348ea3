#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server up, for the team store's tests:
#   scripts/pg-test.sh cargo test --test pg_team
# A cluster is initialised in a temporary folder (Debian's `postgresql` package; see
# scripts/deps.sh test), listens on 127.0.0.1 only (a free port) and on a unix socket in that
# folder, with `trust` authentication (any role may log in without a password: tests only).
# The command runs with CALLQA_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres (the
# cluster's superuser) and CALLQA_TEST_PG_CTL/_DATA/_OPTS/_LOG/_OWNER (to stop and start it); afterwards the server is stopped and the folder removed, also when the
# command fails or the script is interrupted. The command's exit code is the script's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "$0: PostgreSQL's server programs are missing; run scripts/deps.sh test (Debian's postgresql)" >&2
  exit 1
fi

# initdb and postgres refuse to run as root: as root, run them as the `postgres` user
# (created by Debian's package).
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || { echo "$0: running as root needs the 'postgres' user" >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/callqa-pg.XXXXXX")
data="$dir/data"
started=""
cleanup() {
  local rc=$?
  if [[ -n "$started" ]]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 \
      || "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ ${#as_owner[@]} -gt 0 ]] && chown postgres: "$dir"
"${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

# A free port: ask the kernel, then let the server take it (retried if another grabs it first).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 40000))
}
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200"
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -o "$opts" -w -t 30 start >/dev/null 2>&1; then
    started=1
    break
  fi
  echo "$0: the server did not start on port $port (attempt $attempt):" >&2
  tail -n 5 "$dir/server.log" >&2 || true
done
[[ -n "$started" ]] || { echo "$0: could not start a PostgreSQL server" >&2; exit 1; }

export CALLQA_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
# For the test that stops the server hard and starts it again (tests/pg_outbox.rs): how to
# run pg_ctl on this cluster (as the `postgres` user when root).
export CALLQA_TEST_PG_CTL="$bindir/pg_ctl" CALLQA_TEST_PG_DATA="$data" CALLQA_TEST_PG_OPTS="$opts" \
  CALLQA_TEST_PG_LOG="$dir/server.log" CALLQA_TEST_PG_OWNER="${as_owner:+postgres}"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') for the tests: $CALLQA_TEST_PG_URL (socket dir $dir)" >&2
set +e
"$@"
rc=$?
set -e
exit "$rc"
