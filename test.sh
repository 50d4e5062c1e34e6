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

go test -count=1 ./...

if [ "${CI:-}" = true ] || [ -n "${FUZZ:-}" ]; then
	fuzztime="${FUZZTIME:-5s}"
	for pkg in $(go list ./...); do
		for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
			echo "fuzz $pkg $target ($fuzztime)"
			if ! out="$(go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg" 2>&1)"; then
				echo "$out" >&2
				exit 1
			fi
		done
	done
fi
