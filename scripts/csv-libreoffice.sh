#!/usr/bin/env bash
# Checks that a station's day spreadsheet (CSV) opens in LibreOffice with
# its Chinese intact: converts it to .xlsx headless, converts that back to
# CSV, and compares the two. Usage: scripts/csv-libreoffice.sh DAY.csv
# Installs LibreOffice Calc (Debian libreoffice-calc-nogui) if missing.
# Not part of the test suite: LibreOffice is a large install for CI.
set -euo pipefail
csv="${1:?usage: scripts/csv-libreoffice.sh DAY.csv}"
if ! command -v soffice >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$csv" "$work/day.csv"
# Open it as a person does in LibreOffice's text import dialog, picking
# the character set Unicode (UTF-8) and comma separators (filter options
# 44,34,76), and save as xlsx. Headless, LibreOffice 7.4 does not take the
# character set from the byte-order mark: without the option it reads the
# file as Western (Windows-1252).
soffice --headless --infilter="CSV:44,34,76" --convert-to xlsx --outdir "$work" "$work/day.csv" >/dev/null 2>&1
# And back to CSV in UTF-8 (filter options: comma, quote, UTF-8).
mkdir "$work/back"
soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' --outdir "$work/back" "$work/day.xlsx" >/dev/null 2>&1
# The original without its byte-order mark, line ends normalised.
sed '1s/^\xEF\xBB\xBF//' "$work/day.csv" | tr -d '\r' > "$work/want.csv"
tr -d '\r' < "$work/back/day.csv" > "$work/got.csv"
for word in 序号 助农取款 商品销售 日结; do
	if grep -q "$word" "$work/want.csv" && ! grep -q "$word" "$work/got.csv"; then
		echo "FAIL: $word is lost in LibreOffice" >&2
		exit 1
	fi
done
# Seq, kind (Chinese and code), operator and hash must come back as they
# were; amounts come back as numbers (183.40 as 183.4).
if ! diff -q <(cut -d, -f1,4,5,6,16 "$work/want.csv") <(cut -d, -f1,4,5,6,16 "$work/got.csv") >/dev/null; then
	echo "FAIL: the columns differ after LibreOffice:" >&2
	diff <(cut -d, -f1,4,5,6,16 "$work/want.csv") <(cut -d, -f1,4,5,6,16 "$work/got.csv") | head >&2
	exit 1
fi
echo "ok: $(wc -l < "$work/got.csv") rows open in LibreOffice $(soffice --version | awk '{print $2}') with the Chinese intact"
