#!/usr/bin/env bash
# Runs CI (.ci/run, CI=true) on a fresh clone of this repository's HEAD N
# times in a row while another CPU-heavy process keeps every core busy, and
# stops at the first failure. A test that passes only on an idle machine
# fails here, as it would on CI's shared machine.
#
#   scripts/ci-under-load.sh [N]    # N defaults to 5
#
# The load is one busy loop per core (nice 0, as CI's neighbours are).
# Each run's output is kept in the clone's folder, printed on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work="$(mktemp -d)"
git clone -q . "$work/clone"

load=()
for _ in $(seq "$(nproc)"); do
	(while :; do :; done) &
	load+=($!)
done
trap 'kill "${load[@]}" 2>/dev/null || true' EXIT

for i in $(seq "$runs"); do
	start=$SECONDS
	if (cd "$work/clone" && CI=true bash .ci/run) >"$work/run-$i.log" 2>&1; then
		echo "run $i of $runs: passed in $((SECONDS - start)) s (log $work/run-$i.log)"
	else
		echo "run $i of $runs: FAILED after $((SECONDS - start)) s; the log follows ($work/run-$i.log)" >&2
		tail -n 80 "$work/run-$i.log" >&2
		exit 1
	fi
done
echo "$runs of $runs runs passed under load"
