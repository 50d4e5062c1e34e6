#!/usr/bin/env bash
# A province on PostgreSQL (issue 17), as docs/benchmarks.md reports it:
# every station of a province sends its day to 1, 2 and then 4
# `postoffice serve` processes that share one PostgreSQL database (the
# stations spread over the servers, all sending at once, as after the
# evening close), next to bare Ed25519 verification on all cores measured
# in the same run. It reports entries/s for each number of servers, and
# the CPU the servers and the database spent per entry, from which
# docs/benchmarks.md works out the machines the whole network needs.
#
#   bench/province.sh                      3,000 stations × 1 day × 50 entries
#   STATIONS=300 bench/province.sh         a quick check
#   SERVERS="1 2" bench/province.sh        other numbers of servers
#   DATA=/path bench/province.sh           reuse what `region generate --out /path` wrote
#   FAST_DB=1 bench/province.sh            the database without fsync (as the tests run it)
#
# The data come from bench/region's generator (real terminal services,
# real signed day files); the stations upload over the station API as
# `region upload` does in bench/postload.sh. PostgreSQL is Debian's, in a
# temporary folder on a unix socket (scripts/pgtest.sh), with fsync and
# synchronous commits on unless FAST_DB=1; the servers listen on
# 127.0.0.1 only. It prints "RESULT name value" lines, fails if a day is
# lost or accepted twice, and removes everything it made.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STATIONS:=3000}" "${DAYS:=1}" "${ENTRIES:=50}" "${SERVERS:=1 2 4}" "${CONCURRENCY:=256}"

work=$(mktemp -d /tmp/province.XXXXXX)
servers=()
pgenv=""
stop_servers() {
	for pid in "${servers[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
	done
	for pid in "${servers[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	servers=()
}
cleanup() {
	stop_servers
	if [[ -n "$pgenv" ]]; then
		(. "$pgenv" && scripts/pgtest.sh stop) || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
result() { printf 'RESULT %s %s\n' "$1" "$2"; }
now() { date +%s.%N; }

# cpu PID…: seconds of CPU the processes (and their reaped children) used.
cpu() {
	local total=0 pid f
	local hz
	hz=$(getconf CLK_TCK)
	for pid in "$@"; do
		f=/proc/$pid/stat
		[[ -r $f ]] || continue
		# utime stime cutime cstime are fields 14–17 (after the command in parentheses).
		total=$((total + $(sed 's/^.*) //' "$f" | awk '{print $12 + $13 + $14 + $15}')))
	done
	awk -v t="$total" -v hz="$hz" 'BEGIN{printf "%.2f", t/hz}'
}
# pg_pids: the database's postmaster and every process it runs.
pg_pids() {
	local pm
	pm=$(head -n 1 "$PGTEST_DIR/data/postmaster.pid")
	echo "$pm" $(pgrep -P "$pm" || true)
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(go version | cut -d' ' -f3-4)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ)"
bin=$work/bin
go build -o "$bin/region" ./bench/region
go build -o "$bin/postoffice" ./cmd/postoffice
export POSTOFFICE_PASSPHRASE="province benchmark passphrase"
po() { "$bin/postoffice" --lang en "$@"; }

data=${DATA:-$work/data}
if [[ ! -f "$data/keys.txt" ]]; then
	t=$(now)
	"$bin/region" generate --out "$data" --stations "$STATIONS" --days "$DAYS" --entries "$ENTRIES" --inject 0 2>/dev/null | sed -n 1p
	echo "generated in $(awk -v a="$t" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s"
fi
files=$(find "$data/settlements" -name '*.bms' | wc -l)
result stations "$(wc -l <"$data/keys.txt")"
result day_files "$files"

if [[ -z "${FAST_DB:-}" ]]; then export PGTEST_DURABLE=1; fi
pgenv=$work/pg.env
scripts/pgtest.sh start >"$pgenv"
. "$pgenv"
base=$POSTOFFICE_TEST_DB
dburl() { sed "s|/postgres?|/$1?|" <<<"$base"; }
psql_admin() { psql -qAt "$base" -c "$1"; }

# The province's post office, once, in a template database: its key, the
# tariff, every station enrolled. Each run starts from a copy of it.
psql_admin "CREATE DATABASE province_template"
office=$work/office
po init --dir "$office" --name province-postoffice --db "$(dburl province_template)" >/dev/null
po tariff sign --dir "$office" --db "$(dburl province_template)" --out "$office/tariff.signed" tariff/demo-tariff.json >/dev/null
key=$(po key --dir "$office")
"$bin/region" enrol --data "$data" --db "$(dburl province_template)" --tariff "$office/tariff.signed" --postoffice-key "$key"

for n in $SERVERS; do
	db=province_$n
	psql_admin "CREATE DATABASE $db TEMPLATE province_template"
	urls=()
	for i in $(seq "$n"); do
		dir=$work/server-$n-$i
		mkdir -m 700 "$dir"
		cp "$office/postoffice.key" "$dir/"
		"$bin/postoffice" serve --dir "$dir" --db "$(dburl "$db")" --addr 127.0.0.1:0 >"$dir/serve.out" 2>"$dir/serve.log" &
		servers+=($!)
		url=""
		for _ in $(seq 200); do
			url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$dir/serve.out" || true)
			[[ -n "$url" ]] && break
			sleep 0.1
		done
		[[ -n "$url" ]] || { cat "$dir/serve.log"; echo "postoffice serve did not start" >&2; exit 1; }
		urls+=("$url")
	done
	bare=$("$bin/region" ed25519 --n 200000)
	bare_rate=$(awk '{print $2}' <<<"$bare")
	pg_before=$(cpu $(pg_pids))
	po_before=$(cpu "${servers[@]}")
	"$bin/region" upload --data "$data" --url "$(IFS=,; echo "${urls[*]}")" --postoffice-key "$key" \
		--drop 0 --dup 0 --concurrency "$CONCURRENCY" >"$work/upload.out" 2>&1 &
	client_pid=$!
	# The CPU over the uploads alone: sampled when they are done, before
	# the client fetches every station's acknowledgements to check them.
	until grep -qs '^uploads done' "$work/upload.out" || ! kill -0 "$client_pid" 2>/dev/null; do sleep 0.05; done
	pg_after=$(cpu $(pg_pids))
	po_after=$(cpu "${servers[@]}")
	client=$(cpu "$client_pid")
	wait "$client_pid" || { cat "$work/upload.out"; exit 1; }
	out=$(cat "$work/upload.out")
	echo "$out"
	bare_after=$("$bin/region" ed25519 --n 200000 | awk '{print $2}')
	entries=$(sed -nE 's/.*files, ([0-9]+) entries in.*/\1/p' <<<"$out")
	rate=$(sed -nE 's/.* ([0-9]+) entries\/s.*/\1/p' <<<"$out")
	result "servers_${n}_entries_per_s" "$rate"
	result "servers_${n}_p50_p99_ms" "$(sed -nE 's/.*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \2/p' <<<"$out")"
	result "servers_${n}_bare_ed25519_per_s" "$bare_rate $bare_after"
	result "servers_${n}_of_bare" "$(awk -v r="$rate" -v a="$bare_rate" -v b="$bare_after" 'BEGIN{printf "%.3f", r/((a+b)/2)}')"
	result "servers_${n}_cpu_s_servers_db_client" "$(awk -v a="$po_before" -v b="$po_after" 'BEGIN{printf "%.2f", b-a}') $(awk -v a="$pg_before" -v b="$pg_after" 'BEGIN{printf "%.2f", b-a}') $client"
	result "servers_${n}_cpu_us_per_entry_servers_db" "$(awk -v a="$po_before" -v b="$po_after" -v e="$entries" 'BEGIN{printf "%.0f", (b-a)*1e6/e}') $(awk -v a="$pg_before" -v b="$pg_after" -v e="$entries" 'BEGIN{printf "%.0f", (b-a)*1e6/e}')"
	result "servers_${n}_days_in_db" "$(psql -qAt "$(dburl "$db")" -c 'SELECT count(*) FROM days')"
	result "servers_${n}_db_bytes_per_day_file" "$(psql_admin "SELECT (pg_database_size('$db') - pg_database_size('province_template')) / $files")"
	stop_servers
done

# The day's reconciliation on the database the first run filled: the
# day's traces paired with the host journal in one statement
# (reconcile.Matcher), then classified as on bbolt.
first=${SERVERS%% *}
day=$(ls "$data/journals" | sed -n 's/^host-\([0-9]\{4\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)\.jsonl$/\1-\2-\3/p' | tail -n 1)
t=$(now)
code=0
po reconcile --dir "$work/server-$first-1" --db "$(dburl "province_$first")" --date "$day" --host-journal "$data/journals/host-${day//-/}.jsonl" \
	>"$work/reconcile.out" || code=$?
[[ $code -eq 0 || $code -eq 3 ]] || { cat "$work/reconcile.out"; exit 1; }
grep -m1 '^Reconciliation' "$work/reconcile.out"
result reconcile_day_seconds "$(awk -v a="$t" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}')"
