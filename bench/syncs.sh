#!/usr/bin/env bash
# Counts the syncs (fsync, fdatasync and their kin) of whole station
# processes, as docs/benchmarks.md reports them: `station withdraw` and
# `station sell` run against an outside cmd/hostsim on loopback, each under
# `strace -f`, and a start with nothing to do (`station balance`). Counted,
# not timed: a shop's eMMC syncs 10-100 times more slowly than this disk,
# so the count is what decides a customer's wait.
#
#   bench/syncs.sh          5 withdrawals and 5 sales
#   N=20 bench/syncs.sh
#   KEEP=1 bench/syncs.sh   keep the work folder
#
# It prints "RESULT name value" lines: the median and the largest count
# over the runs of each command, and the count by file of the last run. A
# run can show one sync more than the median: bbolt fsyncs once when it
# grows a file (each time the file doubles, up to 16 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${N:=5}"
command -v strace >/dev/null || {
	echo "strace is missing: apt-get install -y strace" >&2
	exit 1
}
work=$(mktemp -d /tmp/syncs-bench.XXXXXX)
hpid=""
cleanup() {
	[[ -n "$hpid" ]] && kill "$hpid" 2>/dev/null || true
	if [[ -z "${KEEP:-}" ]]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3-4), disk $(df -h "$work" | awk 'NR==2{print $1}')"
go build -o "$work/station" ./cmd/station
go build -o "$work/hostsim" ./cmd/hostsim

"$work/hostsim" --addr 127.0.0.1:0 --journal "$work/host-journal.jsonl" >"$work/hostsim.log" 2>&1 &
hpid=$!
for _ in $(seq 100); do
	url=$(sed -nE 's/^hostsim listening on (http[^ ]+).*/\1/p' "$work/hostsim.log")
	[[ -n "$url" ]] && break
	sleep 0.1
done
[[ -n "$url" ]] || {
	cat "$work/hostsim.log"
	echo "hostsim did not start" >&2
	exit 1
}

dir=$work/demo
"$work/station" demo --dir "$dir" --lang en >/dev/null
export STATION_PASSPHRASE=demo-passphrase-not-secret STATION_PIN=135790 STATION_CARD_PIN=123456 STATION_HOST=$url

# syncs NAME ARGS…: runs the station once under strace and prints its
# number of sync calls; the calls by file go to $work/NAME.byfile.
syncs() {
	local name=$1
	shift
	strace -f -y -qq -e signal=none -e trace=fsync,fdatasync,sync,syncfs,sync_file_range,msync \
		-o "$work/$name.strace" "$work/station" "$@" --dir "$dir" --lang en >"$work/$name.out" 2>&1 || {
		cat "$work/$name.out" >&2
		echo "station $1 failed" >&2
		exit 1
	}
	grep -oE '^[0-9]+ +[a-z_]*sync[a-z_]*\([0-9]+<[^>]*>' "$work/$name.strace" | sed -E 's/^[0-9]+ +//' | sort | uniq -c >"$work/$name.byfile" || true
	grep -cE '^[0-9]+ +[a-z_]*sync[a-z_]*\(' "$work/$name.strace" || true
}

max() { sort -n | tail -1; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# luhn PREFIX: PREFIX with its Luhn check digit appended.
luhn() {
	awk -v p="$1" 'BEGIN{s=0; n=length(p); for(i=n;i>=1;i--){d=substr(p,i,1)+0; if((n-i)%2==0){d*=2; if(d>9)d-=9}; s+=d}; printf "%s%d\n", p, (10-s%10)%10}'
}

# A start with nothing to recover: the first run after demo may move
# marks; the second must write nothing.
syncs balance balance >/dev/null
idle=$(syncs balance balance)

# The station's first host request creates its pending store (a write):
# it is counted apart.
first=$(syncs withdraw withdraw --operator OP1 --card "$(luhn 622848040256999999)" --amount 100)
w=()
for i in $(seq "$N"); do
	# A fresh card each time: the tariff limits withdrawals per card and day.
	card=$(luhn "$(printf '622848040256%06d' "$i")")
	w+=("$(syncs withdraw withdraw --operator OP1 --card "$card" --amount 100)")
done
s=()
for _ in $(seq "$N"); do
	s+=("$(syncs sell sell --operator OP1 --item DAILY-SOAP:1)")
done
grep -q 'approved' "$work/withdraw.out" || {
	cat "$work/withdraw.out"
	echo "the withdrawal was not approved" >&2
	exit 1
}

echo "withdrawal syncs per run: ${w[*]}"
echo "sale syncs per run: ${s[*]}"
echo "last withdrawal, by file:"
cat "$work/withdraw.byfile"
echo "last sale, by file:"
cat "$work/sell.byfile"
printf 'RESULT syncs_start_nothing_to_do %s\n' "$idle"
printf 'RESULT syncs_first_withdrawal %s\n' "$first"
printf 'RESULT syncs_per_withdrawal_median %s\n' "$(printf '%s\n' "${w[@]}" | median)"
printf 'RESULT syncs_per_withdrawal_max %s\n' "$(printf '%s\n' "${w[@]}" | max)"
printf 'RESULT syncs_per_sale_median %s\n' "$(printf '%s\n' "${s[@]}" | median)"
printf 'RESULT syncs_per_sale_max %s\n' "$(printf '%s\n' "${s[@]}" | max)"
