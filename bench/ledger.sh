#!/usr/bin/env bash
# Runs the ledger benchmarks that docs/benchmarks.md reports, each next to
# its physical limit measured in the same run, and prints the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(go version)"
go test ./ledger -run='^$' -bench='Append|BoltUpdate|Balances' -benchtime=3s -count="${COUNT:-3}"
go test ./ledger -run='^$' -bench='Verify' -benchtime=2x -count="${COUNT:-3}"
