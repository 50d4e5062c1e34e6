#!/usr/bin/env bash
# Runs the settlement-file benchmarks that docs/benchmarks.md reports: a
# busy day (5,000 entries) written and verified, next to bare Ed25519
# verification on all cores, and prints the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(go version)"
go test ./settlement -run='^$' -bench='Day5000|Ed25519Verify5000' -benchtime=10x -count="${COUNT:-3}"
