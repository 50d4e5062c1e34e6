#!/usr/bin/env bash
# The post office at a region's scale (issue 6), as docs/benchmarks.md
# reports it: a year of signed day files from every station imported and
# reconciled against the hosts' journals by the real postoffice program,
# next to bare Ed25519 verification on all cores measured in the same run,
# and the same reconciliation as a full outer join in PostgreSQL.
#
#   bench/region.sh                    300 stations × 365 days × 50 entries
#   SMALL=1 bench/region.sh            6 × 30 × 50, a quick check
#   STATIONS=60 DAYS=365 bench/region.sh
#   DATA=/path bench/region.sh         reuse what an earlier `region generate --out /path` wrote
#   RECONCILE_EVERY=7 bench/region.sh  reconcile every 7th day only
#   KEEP=1 bench/region.sh             keep the work folder
#   NO_PG=1 bench/region.sh            skip PostgreSQL
#
# It prints "RESULT name value" lines at the end. PostgreSQL (Debian's,
# installed if missing) runs on 127.0.0.1 in a temporary data folder and
# is stopped at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

if [[ -n "${SMALL:-}" ]]; then
	: "${STATIONS:=6}" "${DAYS:=30}" "${INJECT:=2}"
fi
: "${STATIONS:=300}" "${DAYS:=365}" "${ENTRIES:=50}" "${INJECT:=5}" "${RECONCILE_EVERY:=1}" "${PGPORT:=55432}"

work=$(mktemp -d /tmp/region-bench.XXXXXX)
pgdata=""
pgbin=""
cleanup() {
	if [[ -n "$pgdata" && -f "$pgdata/postmaster.pid" ]]; then
		as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
	fi
	[[ -n "$pgdata" ]] && rm -rf "$pgdata"
	if [[ -z "${KEEP:-}" ]]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

# as_pg runs a PostgreSQL server program as a user it accepts: root is
# refused, so as root it runs as postgres.
as_pg() {
	if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

result() { printf 'RESULT %s %s\n' "$1" "$2" | tee -a "$work/results.txt"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
# rss FILE: peak resident memory in MB from /usr/bin/time -v output.
rss() { awk -F: '/Maximum resident set size/{printf "%.0f", $2/1024}' "$1"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(go version | cut -d' ' -f3-4), disk $(df -h "$work" | awk 'NR==2{print $1, $2}')"

bin=$work/bin
go build -o "$bin/region" ./bench/region
go build -o "$bin/postoffice" ./cmd/postoffice
po() { "$bin/postoffice" --lang en "$@"; }

# The region's year.
data=${DATA:-$work/data}
if [[ -f "$data/keys.txt" ]]; then
	echo "reusing $data"
	gen=$(cat "$data/generated.txt")
else
	t=$(now)
	gen=$("$bin/region" generate --out "$data" --stations "$STATIONS" --days "$DAYS" --entries "$ENTRIES" --inject "$INJECT" | tee "$data.gen")
	mv "$data.gen" "$data/generated.txt"
	echo "generated in $(since "$t") s"
fi
echo "$gen"
days=$(awk '/^generated/{for(i=1;i<NF;i++) if($i=="days") print $(i+1)}' <<<"$gen")
files=$(find "$data/settlements" -name '*.bms' | wc -l)
bytes=$(du -sb "$data/settlements" | cut -f1)
result stations "$(wc -l <"$data/keys.txt")"
result day_files "$files"
result settlement_mb "$((bytes / 1000000))"

# The machine's limit, in the same run.
ed=$("$bin/region" ed25519 --n 300000)
echo "$ed"
edrate=$(awk '{print $2}' <<<"$ed")
result ed25519_verify_per_s "$edrate"

# The post office: its key, a tariff, every station enrolled.
podir=$work/postoffice
pass=$work/passphrase
echo "region benchmark passphrase" >"$pass"
po init --dir "$podir" --name region-postoffice --passphrase-file "$pass" >/dev/null
po tariff sign --dir "$podir" --passphrase-file "$pass" --out "$work/tariff.signed" tariff/demo-tariff.json >/dev/null
t=$(now)
while read -r id key; do
	po enrol --dir "$podir" --station "$id" --pubkey "$key" --franchisee "店主 $id" --deposit 20000.00 --tariff "$work/tariff.signed" >/dev/null
done <"$data/keys.txt"
result enrol_s "$(since "$t")"

# Import: every day file of the year, verified on all cores and committed.
t=$(now)
/usr/bin/time -v -o "$work/import.time" "$bin/postoffice" --lang en import --dir "$podir" --passphrase-file "$pass" "$data/settlements" >"$work/import.log" 2>&1 || {
	tail -20 "$work/import.log"
	echo "import failed" >&2
	exit 1
}
import_s=$(since "$t")
tail -3 "$work/import.log"
# What the import itself counted (each station's genesis entry included).
entries=$(sed -nE 's/.*, ([0-9]+) entries\).*/\1/p' "$work/import.log")
result import_entries "$entries"
result import_s "$import_s"
result import_entries_per_s "$(awk -v n="$entries" -v s="$import_s" 'BEGIN{printf "%.0f", n/s}')"
result import_vs_ed25519 "$(awk -v n="$entries" -v s="$import_s" -v e="$edrate" 'BEGIN{printf "%.2f", n/s/e}')"
result import_peak_rss_mb "$(rss "$work/import.time")"
result import_cpu_s "$(awk -F: '/User time|System time/{s+=$2} END{printf "%.1f", s}' "$work/import.time")"
result registry_mb "$(($(stat -c %s "$podir/registry.db") / 1000000))"

# Reconcile: each business day against that day's host journal.
mkdir -p "$work/reconcile"
t=$(now)
n=0 traces=0 lines=0 matched=0 exceptions=0 peak=0 i=0
for j in "$data"/journals/host-*.jsonl; do
	i=$((i + 1))
	(((i - 1) % RECONCILE_EVERY == 0)) || continue
	d=$(basename "$j" .jsonl)
	d=${d#host-}
	date="${d:0:4}-${d:4:2}-${d:6:2}"
	status=0
	/usr/bin/time -v -o "$work/reconcile.time" "$bin/postoffice" --lang en reconcile --dir "$podir" --date "$date" \
		--host-journal "$j" --out "$work/reconcile/$d.csv" >"$work/reconcile.log" 2>&1 || status=$?
	if [[ $status -ne 0 && $status -ne 3 ]]; then
		cat "$work/reconcile.log"
		echo "reconcile $date failed ($status)" >&2
		exit 1
	fi
	read -r s_traces s_lines s_matched s_exc < <(sed -nE 's/.*, ([0-9]+) host requests, ([0-9]+) journal lines; ([0-9]+) matched, ([0-9]+) exception.*/\1 \2 \3 \4/p' "$work/reconcile.log")
	n=$((n + 1)) traces=$((traces + s_traces)) lines=$((lines + s_lines)) matched=$((matched + s_matched)) exceptions=$((exceptions + s_exc))
	r=$(rss "$work/reconcile.time")
	((r > peak)) && peak=$r
done
reconcile_s=$(since "$t")
# The entries of the days reconciled: every day has the same number.
rec_entries=$(awk -v e="$entries" -v n="$n" -v d="$days" 'BEGIN{printf "%.0f", e*n/d}')
result reconcile_days "$n"
result reconcile_s "$reconcile_s"
result reconcile_s_per_day "$(awk -v s="$reconcile_s" -v n="$n" 'BEGIN{printf "%.3f", s/n}')"
result reconcile_traces "$traces"
result reconcile_host_lines "$lines"
result reconcile_matched "$matched"
result reconcile_exceptions "$exceptions"
result reconcile_traces_per_s "$(awk -v n="$traces" -v s="$reconcile_s" 'BEGIN{printf "%.0f", n/s}')"
result reconcile_entries_per_s "$(awk -v n="$rec_entries" -v s="$reconcile_s" 'BEGIN{printf "%.0f", n/s}')"
result reconcile_peak_rss_mb "$peak"

# The exceptions found must be exactly those injected (on the days reconciled).
cat "$work"/reconcile/*.csv | tr -d '\r' | sed 's/^\xEF\xBB\xBF//' | awk -F, '$1 ~ /^[0-9]/ {print $1, $4, $2}' | sort >"$work/found.txt"
days_done=$(ls "$work/reconcile" | sed 's/\.csv$//' | sort)
awk -F, 'NR > 1 {gsub("-", "", $1); print $1, $3, $5}' "$data/expected.csv" | sort | while read -r d tr k; do
	grep -qx "$d" <<<"$days_done" && echo "${d:0:4}-${d:4:2}-${d:6:2} $tr $k"
done | sort >"$work/expected.txt"
if diff "$work/expected.txt" "$work/found.txt" >"$work/diff.txt"; then
	result exceptions_as_injected "yes ($(wc -l <"$work/found.txt"))"
else
	result exceptions_as_injected "NO"
	head -20 "$work/diff.txt"
fi

# The limit again: others share this machine, so the rate at the start
# and at the end of the measured part bracket it.
ed=$("$bin/region" ed25519 --n 300000)
result ed25519_verify_per_s_after "$(awk '{print $2}' <<<"$ed")"

if [[ -n "${NO_PG:-}" ]]; then
	cat "$work/results.txt"
	exit 0
fi

# PostgreSQL: the same reconciliation as one full outer join.
"$bin/region" export --registry "$podir/registry.db" --out "$data/pg"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$pgbin" ]]; then
	sudo=""
	[[ $(id -u) -ne 0 ]] && sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
	pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
pgdata=$(mktemp -d /tmp/region-pg.XXXXXX)
[[ $(id -u) -eq 0 ]] && chown postgres: "$pgdata"
as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
	-o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $pgdata -c shared_buffers=2GB -c work_mem=1GB -c maintenance_work_mem=1GB -c max_wal_size=8GB" start >/dev/null
result postgresql "$("$pgbin/postgres" --version | awk '{print $3}')"
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres)
"${psql[@]}" <<'SQL'
CREATE TABLE traces (trace text, station text, seq bigint, day date, service text, amount numeric(14,2), state text, refund numeric(14,2));
CREATE TABLE days (station text, day date, first bigint, last bigint);
CREATE TABLE host (journal text, line int, time timestamptz, event text, host text, trace text, station text, seq bigint,
	service text, status text, amount numeric(14,2), refund numeric(14,2));
SQL
t=$(now)
"${psql[@]}" -c "\\copy traces FROM '$data/pg/traces.csv' WITH (FORMAT csv, HEADER true)" \
	-c "\\copy days FROM '$data/pg/days.csv' WITH (FORMAT csv, HEADER true)" \
	-c "\\copy host FROM '$data/pg/host.csv' WITH (FORMAT csv, HEADER true)" \
	-c "ANALYZE"
result pg_load_s "$(since "$t")"
result pg_rows "$("${psql[@]}" -At -c "SELECT (SELECT count(*) FROM traces) + (SELECT count(*) FROM host) + (SELECT count(*) FROM days)")"
t=$(now)
"${psql[@]}" -f bench/region.sql | tee "$work/pg.txt"
result pg_query_s "$(since "$t")"
"${psql[@]}" -At -F ' ' -c "SELECT day, trace, kind FROM result WHERE kind NOT IN ('matched', 'covered') ORDER BY 1, 2" | sort >"$work/pg-found.txt"
awk -F, 'NR > 1 {print $1, $3, $5}' "$data/expected.csv" | sort >"$work/pg-expected.txt"
if diff "$work/pg-expected.txt" "$work/pg-found.txt" >/dev/null; then
	result pg_exceptions_as_injected "yes ($(wc -l <"$work/pg-found.txt"))"
else
	result pg_exceptions_as_injected "NO"
	diff "$work/pg-expected.txt" "$work/pg-found.txt" | head -20
fi
result pg_matched "$("${psql[@]}" -At -c "SELECT count(*) FROM result WHERE kind = 'matched'")"
echo
cat "$work/results.txt"
