#!/usr/bin/env bash
# The soak test (issue 8): N mixed transactions (default 100,000) through
# the station's own code path (openDesk, the services the web screen
# uses) against the cmd/hostsim program on loopback, with random faults
# switched on and off, business days closed, the station restarted now
# and then; then everything drained and checked: nothing lost. Prints the
# machine and the figures (throughput, p50/p99 overall and per kind,
# fault counts) that docs/benchmarks.md reports.
#
#   N=100000 TIME=40m ./bench/soak.sh      # the full run, bounded in time
#   N=3000 ./bench/soak.sh                 # a quick look
#   SEED=42 ./bench/soak.sh                # replay a seed
#   TMPDIR=/dev/shm ./bench/soak.sh        # the same on tmpfs: fsync costs nothing
#
# If TIME runs out first the report says how many ran.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
TIME=${TIME:-40m}
SEED=${SEED:-0}
PERDAY=${PERDAY:-400}
tmp=${TMPDIR:-/tmp}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(go version)"
echo "disk: $tmp on $(df -h "$tmp" | awk 'NR==2{print $1}') ($(stat -f -c %T "$tmp"))"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "git: $(git rev-parse --short HEAD)"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
go test ./cmd/station -run '^TestSoak$' -count=1 -v -timeout=6h \
	-soak.n="$N" -soak.time="$TIME" -soak.seed="$SEED" -soak.perday="$PERDAY" -soak.report="$report" \
	| grep --line-buffered -v '^        hostsim: ' || status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
cat "$report"
exit "$status"
