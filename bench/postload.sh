#!/usr/bin/env bash
# The post office server under load (issue 16), as docs/benchmarks.md
# reports it: every station of a region sends its day at once to
# postoffice serve on 127.0.0.1, with a share of connections cut and of
# files sent twice; then the same files go through postoffice import into
# a fresh post office, in the same run, for comparison.
#
#   bench/postload.sh                 300 stations × 1 day × 50 entries
#   STATIONS=30 bench/postload.sh     a quick check
#   DROP=0.2 DUP=0.2 bench/postload.sh
#
# It prints "RESULT name value" lines, and fails if a day is lost or
# accepted twice. Everything runs on loopback; it stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STATIONS:=300}" "${DAYS:=1}" "${ENTRIES:=50}" "${DROP:=0.1}" "${DUP:=0.1}"

work=$(mktemp -d /tmp/postload.XXXXXX)
server=""
cleanup() {
	[[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
result() { printf 'RESULT %s %s\n' "$1" "$2"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3-4)"
bin=$work/bin
go build -o "$bin/region" ./bench/region
go build -o "$bin/postoffice" ./cmd/postoffice
export POSTOFFICE_PASSPHRASE="postload benchmark passphrase"
po() { "$bin/postoffice" --lang en "$@"; }

"$bin/region" generate --out "$work/data" --stations "$STATIONS" --days "$DAYS" --entries "$ENTRIES" --inject 0 >/dev/null
files=$(find "$work/data/settlements" -name '*.bms' | wc -l)
result stations "$STATIONS"
result day_files "$files"

# office DIR: a post office with every station enrolled.
office() {
	po init --dir "$1" --name region-postoffice >/dev/null
	po tariff sign --dir "$1" --out "$1/tariff.signed" tariff/demo-tariff.json >/dev/null
	while read -r id key; do
		po enrol --dir "$1" --station "$id" --pubkey "$key" --franchisee "店主 $id" --deposit 20000.00 --tariff "$1/tariff.signed" >/dev/null
	done <"$work/data/keys.txt"
}

office "$work/served"
key=$(po key --dir "$work/served")
"$bin/postoffice" serve --dir "$work/served" --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
	url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" || true)
	[[ -n "$url" ]] && break
	sleep 0.1
done
[[ -n "$url" ]] || { cat "$work/serve.log"; echo "postoffice serve did not start" >&2; exit 1; }
out=$("$bin/region" upload --data "$work/data" --url "$url" --postoffice-key "$key" --drop "$DROP" --dup "$DUP")
echo "$out"
result served_files_per_s "$(sed -nE 's/.* ([0-9.]+) files\/s.*/\1/p' <<<"$out")"
result served_entries_per_s "$(sed -nE 's/.* ([0-9]+) entries\/s.*/\1/p' <<<"$out")"
result served_p50_ms "$(sed -nE 's/.*p50 ([0-9.]+) ms.*/\1/p' <<<"$out")"
result served_p99_ms "$(sed -nE 's/.*p99 ([0-9.]+) ms.*/\1/p' <<<"$out")"
result served_lost_doubled "$(sed -nE 's/.*lost ([0-9]+), doubled ([0-9]+).*/\1 \2/p' <<<"$out")"
kill "$server"
wait "$server" 2>/dev/null || true
server=""

office "$work/imported"
t=$(now)
po import --dir "$work/imported" "$work/data/settlements" >"$work/import.log"
s=$(since "$t")
entries=$(sed -nE 's/.*, ([0-9]+) entries\).*/\1/p' "$work/import.log")
result import_files_per_s "$(awk -v n="$files" -v s="$s" 'BEGIN{printf "%.1f", n/s}')"
result import_entries_per_s "$(awk -v n="$entries" -v s="$s" 'BEGIN{printf "%.0f", n/s}')"
