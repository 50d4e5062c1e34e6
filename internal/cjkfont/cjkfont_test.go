package cjkfont_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/internal/toolcheck"
)

// receiptStrings are the pieces of receiptLine that must come back out of
// the PDF: Chinese, both yen signs, capital-amount characters, Latin,
// digits, a masked card number, a date and the extra symbols · → ×.
var receiptStrings = []string{
	"山前村便民服务站",
	"¥1,234.50",
	"￥88.00",
	"壹仟贰佰叁拾肆元伍角整",
	"ABC xyz",
	"0123456789",
	"622848*********0018",
	"2026-11-20 09:30",
	"王秀英·→×",
}

var receiptLine = strings.Join(receiptStrings, " ")

// MustTTF returns the font or fails the test.
func MustTTF(tb testing.TB) []byte {
	tb.Helper()
	ttf, err := cjkfont.TTF()
	if err != nil {
		tb.Fatal(err)
	}
	return ttf
}

// Render lays out receiptLine on one A4 page the way a receipt renderer
// should: the font added from bytes and the dates fixed, so that the same
// input gives the same bytes.
func Render(tb testing.TB, ttf []byte) []byte {
	tb.Helper()
	date := time.Date(2026, 11, 20, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.AddUTF8FontFromBytes(cjkfont.Family, "", ttf)
	pdf.SetFont(cjkfont.Family, "", 11)
	pdf.AddPage()
	pdf.MultiCell(0, 6, receiptLine, "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestTTF(t *testing.T) {
	ttf := MustTTF(t)
	if n := len(ttf); n < 1_000_000 || n > 1_600_000 {
		t.Errorf("TTF() is %d bytes, want 1.0–1.6 MB (a GB2312 subset)", n)
	}
	tables := Tables(t, ttf)
	// What gofpdf's UTF-8 font reader looks up.
	for _, tag := range []string{"cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "OS/2", "post"} {
		if tables[tag] == nil {
			t.Errorf("no %q table", tag)
		}
	}
}

// TestTTFGlyphs checks that every character of receiptLine has a glyph with
// an outline. pdftotext cannot see this: gofpdf draws a character the font
// lacks as blank space but still maps it back to its text.
func TestTTFGlyphs(t *testing.T) {
	tables := Tables(t, MustTTF(t))
	for _, r := range receiptLine {
		g := Glyph(t, tables["cmap"], r)
		if g == 0 {
			t.Errorf("%q (U+%04X) is not in the font", r, r)
			continue
		}
		if r != ' ' && GlyphLen(t, tables, g) == 0 {
			t.Errorf("%q (U+%04X) maps to glyph %d, which has no outline", r, r, g)
		}
	}
}

// Tables returns the tables of a TrueType font by tag, checking the sfnt
// header and that every table lies inside the file.
func Tables(tb testing.TB, ttf []byte) map[string][]byte {
	tb.Helper()
	if len(ttf) < 12 {
		tb.Fatal("font is shorter than an sfnt header")
	}
	if v := binary.BigEndian.Uint32(ttf); v != 0x00010000 {
		tb.Fatalf("sfnt version %#08x, want 0x00010000 (TrueType outlines)", v)
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if len(ttf) < 12+16*n {
		tb.Fatalf("table directory of %d tables runs past the end", n)
	}
	tables := make(map[string][]byte, n)
	for i := range n {
		rec := ttf[12+16*i:]
		tag := string(rec[:4])
		off, size := uint64(binary.BigEndian.Uint32(rec[8:])), uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+size > uint64(len(ttf)) {
			tb.Fatalf("table %q [%d, +%d) runs past the end (%d bytes)", tag, off, size, len(ttf))
		}
		tables[tag] = ttf[off : off+size]
	}
	return tables
}

// Glyph returns the glyph of r in the Windows Unicode BMP (3, 1) format 4
// subtable of cmap, the one gofpdf reads, or 0 if r has none.
func Glyph(tb testing.TB, cmap []byte, r rune) int {
	tb.Helper()
	u16 := func(b []byte, i int) int { return int(binary.BigEndian.Uint16(b[i:])) }
	var sub []byte
	for i := range u16(cmap, 2) {
		rec := cmap[4+8*i:]
		off := binary.BigEndian.Uint32(rec[4:])
		if u16(rec, 0) == 3 && u16(rec, 2) == 1 && u16(cmap, int(off)) == 4 {
			sub = cmap[off:]
		}
	}
	if sub == nil {
		tb.Fatal("cmap has no (3, 1) format 4 subtable")
	}
	segX2 := u16(sub, 6)
	ends, starts, deltas, ranges := 14, 16+segX2, 16+2*segX2, 16+3*segX2
	for s := 0; s < segX2; s += 2 {
		if int(r) > u16(sub, ends+s) {
			continue
		}
		if int(r) < u16(sub, starts+s) {
			return 0
		}
		ro := u16(sub, ranges+s)
		if ro == 0 {
			return (int(r) + u16(sub, deltas+s)) & 0xffff
		}
		g := u16(sub, ranges+s+ro+2*(int(r)-u16(sub, starts+s)))
		if g == 0 {
			return 0
		}
		return (g + u16(sub, deltas+s)) & 0xffff
	}
	return 0
}

// GlyphLen returns the length in bytes of glyph g in the glyf table.
func GlyphLen(tb testing.TB, tables map[string][]byte, g int) int {
	tb.Helper()
	if n := int(binary.BigEndian.Uint16(tables["maxp"][4:])); g >= n {
		tb.Fatalf("glyph %d out of range (%d glyphs)", g, n)
	}
	loca := tables["loca"]
	if binary.BigEndian.Uint16(tables["head"][50:]) == 0 { // short offsets, in words
		return 2 * (int(binary.BigEndian.Uint16(loca[2*g+2:])) - int(binary.BigEndian.Uint16(loca[2*g:])))
	}
	return int(binary.BigEndian.Uint32(loca[4*g+4:])) - int(binary.BigEndian.Uint32(loca[4*g:]))
}

func TestTTFFresh(t *testing.T) {
	a, b := MustTTF(t), MustTTF(t)
	a[0] ^= 0xff
	if bytes.Equal(a, b) {
		t.Error("TTF() returned shared bytes; each call must return its own copy")
	}
}

func TestRenderText(t *testing.T) {
	pdftotext := toolcheck.Require(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(path, Render(t, MustTTF(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, s := range receiptStrings {
		if !strings.Contains(text, s) {
			t.Errorf("pdftotext output lacks %q; got:\n%s", s, text)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	ttf := MustTTF(t)
	orig := bytes.Clone(ttf)
	first := Render(t, ttf)
	for i := range 3 {
		if again := Render(t, ttf); !bytes.Equal(first, again) {
			t.Fatalf("render %d differs from the first (%d vs %d bytes)", i+2, len(again), len(first))
		}
	}
	if !bytes.Equal(ttf, orig) {
		t.Error("rendering changed the font bytes; they cannot be shared between documents")
	}
}

func TestRenderSubsets(t *testing.T) {
	const limit = 200 << 10
	n := len(Render(t, MustTTF(t)))
	t.Logf("one-line PDF: %d bytes", n)
	if n > limit {
		t.Errorf("one-line PDF is %d bytes, want at most %d: gofpdf should embed only the glyphs used", n, limit)
	}
}
