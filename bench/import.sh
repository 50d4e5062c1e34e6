#!/usr/bin/env bash
# The post office's import against its physical limit, paired in one run
# (issue 20): `postoffice import` of a folder of day files into a fresh
# registry on this disk, and bare single-signature Ed25519 verification of
# the same number of signatures on all cores, measured just before and
# just after each import. docs/benchmarks.md reports it.
#
#   bench/import.sh                   40 stations × 30 days × 50 entries (1,200 files)
#   STATIONS=10 DAYS=10 bench/import.sh
#   RUNS=3 bench/import.sh            three paired runs (default 3)
#   DATA=/path bench/import.sh        reuse what `region generate --out /path` wrote
#   REGISTRY_DIR=/dev/shm bench/import.sh   the registry on tmpfs instead of the disk
#   KEEP=1 bench/import.sh            keep the work folder
#
# It prints "RESULT name value" lines; import_vs_ed25519 is the import's
# entries per second over the mean of the two bare rates around it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STATIONS:=40}" "${DAYS:=30}" "${ENTRIES:=50}" "${RUNS:=3}"

work=$(mktemp -d /tmp/import-bench.XXXXXX)
cleanup() { if [[ -z "${KEEP:-}" ]]; then rm -rf "$work"; else echo "kept $work"; fi; }
trap cleanup EXIT
result() { printf 'RESULT %s %s\n' "$1" "$2" | tee -a "$work/results.txt"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }

regdir=${REGISTRY_DIR:-$work}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(go version | cut -d' ' -f3-4), registry on $(df -h "$regdir" | awk 'NR==2{print $1}'), load $(cut -d' ' -f1-3 /proc/loadavg)"

bin=$work/bin
go build -o "$bin/region" ./bench/region
go build -o "$bin/postoffice" ./cmd/postoffice
po() { "$bin/postoffice" --lang en "$@"; }

data=${DATA:-$work/data}
if [[ ! -f "$data/keys.txt" ]]; then
	"$bin/region" generate --out "$data" --stations "$STATIONS" --days "$DAYS" --entries "$ENTRIES" --inject 0 >/dev/null
fi
files=$(find "$data/settlements" -name '*.bms' | wc -l)
result day_files "$files"

pass=$work/passphrase
echo "import benchmark passphrase" >"$pass"
ratios=()
for run in $(seq "$RUNS"); do
	podir=$(mktemp -d "$regdir/import-po.XXXXXX")
	po init --dir "$podir" --name bench-postoffice --passphrase-file "$pass" >/dev/null
	po tariff sign --dir "$podir" --passphrase-file "$pass" --out "$podir/tariff.signed" tariff/demo-tariff.json >/dev/null
	while read -r id key; do
		po enrol --dir "$podir" --station "$id" --pubkey "$key" --franchisee "店主 $id" --deposit 20000.00 --tariff "$podir/tariff.signed" >/dev/null
	done <"$data/keys.txt"
	sync
	before=$("$bin/region" ed25519 --n 100000 --runs 1 | awk '{print $2}')
	t=$(now)
	/usr/bin/time -f '%U %S' -o "$work/import.time" "$bin/postoffice" --lang en import --dir "$podir" --passphrase-file "$pass" "$data/settlements" >"$work/import.log" 2>&1 || {
		tail -5 "$work/import.log"
		echo "import failed" >&2
		exit 1
	}
	s=$(since "$t")
	after=$("$bin/region" ed25519 --n 100000 --runs 1 | awk '{print $2}')
	entries=$(sed -nE 's/.*, ([0-9]+) entries\).*/\1/p' "$work/import.log")
	rate=$(awk -v n="$entries" -v s="$s" 'BEGIN{printf "%.0f", n/s}')
	ratio=$(awk -v r="$rate" -v a="$before" -v b="$after" 'BEGIN{printf "%.2f", r/((a+b)/2)}')
	ratios+=("$ratio")
	echo "run $run: $entries entries in $s s, $rate entries/s, cpu $(cat "$work/import.time") s (user sys); bare Ed25519 $before/s before, $after/s after; ratio $ratio"
	rm -rf "$podir"
done
result import_entries "$entries"
result import_vs_ed25519_runs "${ratios[*]}"
result import_vs_ed25519_median "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')"
