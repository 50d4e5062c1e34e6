#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb into a temporary
# folder, listening on a unix socket in that folder only (no TCP port),
# fsync off (it holds nothing worth keeping). The postgres user is
# trusted; every other role signs in with its password, so that tests can
# make a role and try a wrong password.
#
#   eval "$(scripts/pgtest.sh start)"   # starts it; prints the exports below
#   scripts/pgtest.sh stop              # stops it and removes the folder
#
# start prints
#   export POSTOFFICE_TEST_DB='postgres://postgres@/postgres?host=DIR&sslmode=disable'
#   export PGTEST_DIR=DIR
# and stop reads PGTEST_DIR. PGTEST_DURABLE=1 keeps fsync and
# synchronous commits on, as a real database has them (the benchmarks).
# PostgreSQL refuses to run as root, so as
# root the server runs as the postgres user (Debian's package makes it).
# Debian's postgresql package is used; test.sh installs it when missing.
set -euo pipefail

pgbin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -z "$d" || ! -x "$d/initdb" ]]; then
		echo "pgtest.sh: PostgreSQL is not installed (Debian package postgresql)" >&2
		return 1
	fi
	echo "$d"
}

as_pg() {
	if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
	bin=$(pgbin)
	dir=$(mktemp -d /tmp/pgtest.XXXXXX)
	chmod 755 "$dir"
	[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	printf 'local all postgres trust\nlocal all all scram-sha-256\n' | as_pg tee "$dir/data/pg_hba.conf" >/dev/null
	durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	[[ -n "${PGTEST_DURABLE:-}" ]] && durability=""
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $dir $durability -c max_connections=200" start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
	echo "export POSTOFFICE_TEST_DB='postgres://postgres@/postgres?host=$dir&sslmode=disable'"
	echo "export PGTEST_DIR=$dir"
	;;
stop)
	dir=${PGTEST_DIR:?pgtest.sh stop: PGTEST_DIR is not set}
	if [[ -f "$dir/data/postmaster.pid" ]]; then
		as_pg "$(pgbin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: scripts/pgtest.sh start|stop" >&2
	exit 2
	;;
esac
