#!/bin/sh
# flip.sh: the sampled byte-flip run on a larger ledger. Flips bytes of the
# live pages of a ledger file one at a time (each bit position, and whole
# bytes) and prints how many were named by ledger verify, refused at open
# as damaged, or changed nothing the station reads; it fails if a flip did
# anything else. The every-byte run on a small ledger is the ordinary test.
#
#   bench/flip.sh [extra-withdrawals [flips-per-mask [seed]]]
#
# Defaults: 150 extra withdrawals, 1500 flips per mask, seed 1 (about 5 minutes here).
set -eu
cd "$(dirname "$0")/.."
LEDGER_FLIP_EXTRA=${1:-150} LEDGER_FLIP_SAMPLE=${2:-1500} LEDGER_FLIP_SEED=${3:-1} LEDGER_FLIP_MASKS=bit,byte \
	go test -count=1 -timeout 60m -run '^TestEveryFlippedByteOfTheFile$' -v ./ledger/ | grep -v '^=== RUN'
