#!/usr/bin/env bash
# The attacker on the shop's network (issue 23): starts station serve (a
# demo station in a fresh folder, on loopback) and throws at it huge
# uploads, slow-body clients, a flood of anonymous requests and wrong-PIN
# storms, each from loopback addresses of its own (127.0.0.10 and up),
# while a signed-in counter (127.0.0.1) keeps working. Prints the
# counter's p50/p99 before and during, what each attack got, and the
# server's memory and disk growth. Fails if the counter's median slows
# more than MAX_SLOWDOWN times, if the server's temporary folder gets a
# file, or if the station folder grows by more than 1 MiB.
#
#   ./scripts/abuse.sh                       # the full run (docs/threat-model.md)
#   SMALL=1 ./scripts/abuse.sh               # the quick run ./test.sh makes
#   ANON=50000 SLOW=100 ./scripts/abuse.sh   # any count on its own
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${SMALL:-}" ]; then
	: "${ANON:=3000}" "${UPLOADS:=3}" "${UPLOAD_MB:=300}" "${SLOW:=40}" "${SLOW_FOR:=4s}" "${PINS:=40}" "${SAMPLES:=100}"
fi
ANON=${ANON:-200000} UPLOADS=${UPLOADS:-6} UPLOAD_MB=${UPLOAD_MB:-300} SLOW=${SLOW:-200} SLOW_FOR=${SLOW_FOR:-40s}
PINS=${PINS:-200} SAMPLES=${SAMPLES:-300} MAX_SLOWDOWN=${MAX_SLOWDOWN:-2} PORT=${PORT:-$((20000 + RANDOM % 20000))}

work=$(mktemp -d)
server=""
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/station" ./cmd/station
go build -o "$work/abuse" ./scripts/abuse
mkdir "$work/tmp" "$work/run"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "attack: $UPLOADS uploads of $UPLOAD_MB MB, $SLOW slow-body clients for $SLOW_FOR, $ANON anonymous requests, $PINS wrong PINs"
(cd "$work/run" && exec env TMPDIR="$work/tmp" "$work/station" serve --addr "127.0.0.1:$PORT" >"$work/serve.log" 2>&1) &
server=$!
for _ in $(seq 100); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
	sleep 0.2
done
rss() { awk '/^VmRSS/{print $2}' "/proc/$server/status"; }
hwm() { awk '/^VmHWM/{print $2}' "/proc/$server/status"; }
written() { awk '/^write_bytes/{print $2}' "/proc/$server/io" 2>/dev/null || echo 0; }
size() { du -sb "$1" | cut -f1; }
sleep 1 # the demo station is created and opened
server=$(pgrep -P "$server" -f "station serve" || echo "$server")
rss0=$(rss) written0=$(written) dir0=$(size "$work/run")
status=0
"$work/abuse" --addr "127.0.0.1:$PORT" --anon "$ANON" --uploads "$UPLOADS" --upload-mb "$UPLOAD_MB" \
	--slow "$SLOW" --slow-for "$SLOW_FOR" --pins "$PINS" --samples "$SAMPLES" --max-slowdown "$MAX_SLOWDOWN" || status=$?
rss1=$(rss) hwm1=$(hwm) written1=$(written) dir1=$(size "$work/run")
echo "server memory: RSS $((rss0 / 1024)) MB before, $((rss1 / 1024)) MB after, peak $((hwm1 / 1024)) MB"
echo "server disk: station folder grew $((dir1 - dir0)) bytes; the process wrote $(((written1 - written0) / 1024)) KB; temporary folder holds $(ls -A "$work/tmp" | wc -l) file(s)"
if [ -n "$(ls -A "$work/tmp")" ]; then
	echo "abuse.sh: a request's body reached the disk: $(ls -A "$work/tmp" | head -3)" >&2
	status=1
fi
if [ $((dir1 - dir0)) -gt $((1 << 20)) ]; then
	echo "abuse.sh: the station folder grew by more than 1 MiB under attack" >&2
	status=1
fi
if [ "$status" != 0 ]; then
	echo "abuse.sh: FAILED; the server said:" >&2
	tail -20 "$work/serve.log" >&2
fi
exit "$status"
