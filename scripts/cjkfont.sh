#!/usr/bin/env bash
# Regenerates internal/cjkfont/wqy-microhei-gb2312.ttf.gz, the CJK font that
# receipts embed, from Debian's packages (see docs/fonts.md).
#
# It takes face 0 (WenQuanYi Micro Hei, proportional) of the .ttc from
# fonts-wqy-microhei, keeps printable ASCII, every character of GB2312 and
# ¥ ￥ · → ×, and gzips the result. The output is byte-for-byte the same on
# every run: the subsetter keeps the source's head.modified date and gzip -n
# stores no name or time.
#
# Missing packages (fonts-wqy-microhei, python3-fonttools) are installed with
# apt-get. It uses Debian's fontTools through /usr/bin/python3 on purpose:
# another python3 on PATH would not see it, and PyPI may not be reachable.
set -euo pipefail
cd "$(dirname "$0")/.."

ttc=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
python=/usr/bin/python3
out=internal/cjkfont/wqy-microhei-gb2312.ttf.gz

if [ ! -f "$ttc" ] || ! "$python" -c 'import fontTools.subset' 2>/dev/null; then
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		sudo="sudo"
	fi
	echo "cjkfont.sh: installing fonts-wqy-microhei python3-fonttools" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		fonts-wqy-microhei python3-fonttools >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One code point a line (U+XXXX): printable ASCII, every two-byte GB2312 code
# (rows and cells 0xA1–0xFE; codes the codec rejects are unassigned), and the
# few extras receipts use.
"$python" - >"$tmp/unicodes.txt" <<'PY'
points = set(range(0x20, 0x7F))
for hi in range(0xA1, 0xFF):
    for lo in range(0xA1, 0xFF):
        try:
            points.update(map(ord, bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
points.update([0x00A5, 0xFFE5, 0x00B7, 0x2192, 0x00D7])
for p in sorted(points):
    print("U+%04X" % p)
PY

# gofpdf reads TrueType glyf outlines and a format-4 cmap, keeps the hinting
# tables (cvt, fpgm, prep, gasp) and rewrites post to format 3 itself, so
# glyph names are not needed. Layout tables (GSUB, GPOS, GDEF) and the
# FontForge timestamp table are of no use to it.
"$python" -m fontTools.subset "$ttc" \
	--font-number=0 \
	--unicodes-file="$tmp/unicodes.txt" \
	--no-glyph-names \
	--no-recalc-timestamp \
	--layout-features= \
	--drop-tables+=GSUB,GPOS,GDEF,FFTM \
	--output-file="$tmp/font.ttf"

gzip -n -9 <"$tmp/font.ttf" >"$out"
echo "cjkfont.sh: $(wc -l <"$tmp/unicodes.txt") code points, $(wc -c <"$tmp/font.ttf") bytes TrueType, $(wc -c <"$out") bytes $out" >&2
