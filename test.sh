#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine.
#
# It first installs, where missing, the outside programs the tests use,
# as Debian packages with apt-get (hledger, poppler-utils, zbar-tools,
# chromium; this needs root or sudo, and it says what it installs before
# it does), so that no test is skipped for want of them. Under
# CI=true a test whose program is still missing fails instead of skipping,
# and every fuzz target runs for FUZZTIME (default 5s).
set -euo pipefail
cd "$(dirname "$0")"

# program → Debian package. poppler-utils brings both pdftotext and
# pdftoppm; each package is installed once however many programs it brings.
declare -A packages=(
	[hledger]=hledger
	[pdftotext]=poppler-utils
	[pdftoppm]=poppler-utils
	[zbarimg]=zbar-tools
	[chromium]=chromium
)

declare -A wanted=()
for program in "${!packages[@]}"; do
	command -v "$program" >/dev/null 2>&1 || wanted[${packages[$program]}]=1
done
missing=()
if ((${#wanted[@]} > 0)); then
	mapfile -t missing < <(printf '%s\n' "${!wanted[@]}" | sort)
fi
# PostgreSQL's programs are not on PATH in Debian's package; a font is
# no program: the browser tests measure Chinese text drawn in it.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
if ((${#missing[@]} > 0)); then
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		sudo="sudo"
	fi
	echo "test.sh: the tests need these Debian packages, which are missing: ${missing[*]}" >&2
	echo "test.sh: installing them now with ${sudo:+sudo }apt-get (needs root or sudo)" >&2
	if ! { $sudo apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
		echo "test.sh: could not install ${missing[*]}; the tests that need them will skip (or fail under CI=true)" >&2
	fi
fi

# A throwaway PostgreSQL for the post office's tests: a unix socket in a
# temporary folder, removed at the end (scripts/pgtest.sh).
if pg="$(scripts/pgtest.sh start)"; then
	eval "$pg"
	trap 'scripts/pgtest.sh stop' EXIT
else
	echo "test.sh: PostgreSQL did not start; the tests that need it skip (or fail under CI=true)" >&2
fi

# cmd/station's tests drive a real browser and real servers one after the
# other: about 270 s on an idle 2-core machine, more than twice that when
# the machine is busy. The default 10-minute limit per package would then
# stop a healthy run; 30 minutes still catches a hung test.
go test -count=1 -timeout=30m ./...
SMALL=1 ./scripts/abuse.sh # the attacker on the shop's network, small numbers (docs/threat-model.md)

# Fuzzing: under CI=true (or FUZZ=1) every fuzz target runs for a count of
# inputs, not for a time. A time budget (-fuzztime=5s) trips a race in Go's
# fuzzing engine when the time runs out (golang/go#75804, fixed in Go 1.27):
# the target fails with "context deadline exceeded" having found nothing.
# A count has no deadline, so on a busy machine a target only takes longer.
# The counts take one to four seconds a target on an idle 2-core machine
# (docs/benchmarks.md); FUZZCOUNT changes the default, FUZZTIME=60s runs
# each target for a time instead (by hand, for a deeper search).
# A real finding fails the run and shows the input that fails, with the
# command that replays it.
declare -A fuzzcount=(
	[web/FuzzForms]=10000 # each input is a whole form through the real handler
	[internal/boltcheck/FuzzTree]=20000 # each input is a file written and opened
	[staffweb/FuzzDayFileRoute]=5000 # each input is a signed-in request through the server, opening the registry
)
if [ "${CI:-}" = true ] || [ -n "${FUZZ:-}" ]; then
	module="$(go list -m)"
	for pkg in $(go list ./...); do
		for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
			budget="${FUZZTIME:-${fuzzcount[${pkg#"$module"/}/$target]:-${FUZZCOUNT:-40000}}x}"
			echo "fuzz $pkg $target ($budget)"
			if ! out="$(go test -run='^$' -fuzz="^${target}\$" -fuzztime="$budget" -timeout=10m "$pkg" 2>&1)"; then
				echo "$out" >&2
				input="$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' <<<"$out" | head -n 1)"
				if [ -n "$input" ]; then
					dir="$(go list -f '{{.Dir}}' "$pkg")"
					echo "test.sh: $target found an input that fails, kept in $dir/$input:" >&2
					cat "$dir/$input" >&2
					echo "test.sh: replay it with: go test -run='^${target}/${input##*/}\$' $pkg" >&2
				fi
				exit 1
			fi
		done
	done
fi
