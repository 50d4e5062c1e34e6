package receipts

import (
	"fmt"
	"io"
	"strings"

	"github.com/boombuler/barcode/qr"
	"github.com/jung-kurt/gofpdf"
	"github.com/villagepost/bianmin/internal/cjkfont"
)

// pdfStyle is the geometry of one paper width, in mm and points.
type pdfStyle struct {
	width, margin   float64 // mm
	body, big, tiny float64 // font sizes, pt
	qr              float64 // mm
}

var pdfStyles = map[int]pdfStyle{
	58: {width: 58, margin: 3, body: 8, big: 11, tiny: 5, qr: 40},
	80: {width: 80, margin: 4, body: 9.5, big: 13, tiny: 6, qr: 50},
}

const ptToMM = 25.4 / 72

// WritePDF writes the receipt as a PDF on a roll of widthMM (58 or 80) mm
// paper, one page per copy, each as long as its content. ttf is the CJK
// font (cjkfont.TTF); keep it between calls. The PDF is dated with the
// entry's time, so the same receipt gives the same bytes every time.
func (r *Receipt) WritePDF(w io.Writer, lang string, widthMM int, ttf []byte) error {
	st, ok := pdfStyles[widthMM]
	if !ok {
		return fmt.Errorf("receipts: paper is 58 or 80 mm wide, not %d", widthMM)
	}
	pdf := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "mm", Size: gofpdf.SizeType{Wd: st.width, Ht: 100}})
	pdf.SetCreationDate(r.Time)
	pdf.SetModificationDate(r.Time)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(r.Title.In(lang)+" "+r.Station.ID+"-"+fmt.Sprint(r.Seq), true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(st.margin, st.margin, st.margin)
	pdf.AddUTF8FontFromBytes(cjkfont.Family, "", ttf)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("receipts: font: %w", err)
	}
	for _, p := range r.pages(lang) {
		l := pdfLayout{pdf: pdf, st: st, p: p, lang: lang}
		height := l.draw(false)
		pdf.AddPageFormat("P", gofpdf.SizeType{Wd: st.width, Ht: height})
		l.draw(true)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("receipts: PDF: %w", err)
	}
	return nil
}

// pdfLayout lays one page out; with draw false it only measures.
type pdfLayout struct {
	pdf  *gofpdf.Fpdf
	st   pdfStyle
	p    page
	lang string
	y    float64
	show bool
}

func (l *pdfLayout) inner() float64 { return l.st.width - 2*l.st.margin }

// draw lays the page out and returns its height in mm.
func (l *pdfLayout) draw(show bool) float64 {
	l.show, l.y = show, l.st.margin
	x := l.st.margin
	for i, h := range l.p.Header {
		size := l.st.body
		if i == 0 {
			size = l.st.big
		}
		l.text(h, size, "C")
	}
	l.rule()
	labelW := 0.0
	l.font(l.st.body)
	for _, ln := range l.p.Lines {
		if !ln.Money { // amounts stand flush right, whatever their label
			labelW = max(labelW, l.pdf.GetStringWidth(ln.Label))
		}
	}
	labelW = min(labelW+2, l.inner()/2)
	lh := l.st.body * ptToMM * 1.35
	for _, ln := range l.p.Lines {
		l.font(l.st.body)
		vw := l.pdf.GetStringWidth(ln.Value)
		fits := labelW+vw <= l.inner()
		if ln.Money {
			fits = l.pdf.GetStringWidth(ln.Label)+2+vw <= l.inner()
		}
		if l.show {
			l.pdf.Text(x, l.y+lh*0.8, ln.Label)
		}
		switch {
		case ln.Money && fits:
			if l.show {
				l.pdf.Text(l.st.width-l.st.margin-vw, l.y+lh*0.8, ln.Value)
			}
			l.y += lh
		case fits:
			if l.show {
				l.pdf.Text(x+labelW, l.y+lh*0.8, ln.Value)
			}
			l.y += lh
		default:
			l.y += lh
			l.wrapped(ln.Value, l.st.body, x+4, l.inner()-4)
		}
	}
	if l.p.Capital != "" {
		l.wrapped(l.p.Capital, l.st.body, x, l.inner())
	}
	l.rule()
	for _, n := range l.p.Notices {
		l.wrapped(n, l.st.body, x, l.inner())
	}
	if len(l.p.Sign) > 0 {
		l.y += lh
		for _, s := range l.p.Sign {
			l.wrapped(s, l.st.body, x, l.inner())
			l.y += lh / 2
		}
	}
	l.y += 3 // the QR code's quiet zone
	l.qr()
	l.y += 3
	l.text(scanHint.In(l.lang), l.st.tiny, "C")
	l.wrapped(l.p.Code, l.st.tiny, x, l.inner())
	return l.y + l.st.margin
}

func (l *pdfLayout) font(size float64) { l.pdf.SetFont(cjkfont.Family, "", size) }

// text writes one line (wrapped if it must be), aligned L or C.
func (l *pdfLayout) text(s string, size float64, align string) {
	l.font(size)
	lh := size * ptToMM * 1.35
	for _, part := range l.split(s, l.inner()) {
		if l.show {
			x := l.st.margin
			if align == "C" {
				x = (l.st.width - l.pdf.GetStringWidth(part)) / 2
			}
			l.pdf.Text(x, l.y+lh*0.8, part)
		}
		l.y += lh
	}
}

// wrapped writes s from x in lines of at most width mm.
func (l *pdfLayout) wrapped(s string, size, x, width float64) {
	l.font(size)
	lh := size * ptToMM * 1.35
	for _, part := range l.split(s, width) {
		if l.show {
			l.pdf.Text(x, l.y+lh*0.8, part)
		}
		l.y += lh
	}
}

// split breaks s into lines no wider than width mm in the current font,
// with the same rules as the text form (wrap): at spaces between words,
// anywhere between Chinese characters.
func (l *pdfLayout) split(s string, width float64) []string {
	var out []string
	cur := ""
	for _, tok := range tokens(s) {
		next := cur + tok
		if cur != "" && l.pdf.GetStringWidth(next) > width {
			out = append(out, strings.TrimRight(cur, " "))
			cur = strings.TrimLeft(tok, " ")
			next = cur
		}
		for next != "" && l.pdf.GetStringWidth(next) > width { // a word longer than a line
			n := len(next)
			for n > 1 && l.pdf.GetStringWidth(next[:n]) > width {
				n--
			}
			for n > 1 && !utf8Start(next, n) {
				n--
			}
			out = append(out, next[:n])
			next = next[n:]
		}
		cur = next
	}
	if cur != "" || len(out) == 0 {
		out = append(out, strings.TrimRight(cur, " "))
	}
	return out
}

func utf8Start(s string, i int) bool { return i >= len(s) || s[i]&0xc0 != 0x80 }

// rule draws a thin line across the page.
func (l *pdfLayout) rule() {
	l.y += 1
	if l.show {
		l.pdf.SetLineWidth(0.2)
		l.pdf.SetDashPattern([]float64{0.8, 0.6}, 0)
		l.pdf.Line(l.st.margin, l.y, l.st.width-l.st.margin, l.y)
		l.pdf.SetDashPattern(nil, 0)
	}
	l.y += 1.5
}

// qr draws the verification code as a QR code (error correction M),
// module by module, centred.
func (l *pdfLayout) qr() {
	size := min(l.st.qr, l.inner())
	if l.show {
		code, err := qr.Encode(l.p.Code, qr.M, qr.Auto)
		if err != nil {
			l.pdf.SetError(fmt.Errorf("receipts: QR code: %w", err))
			return
		}
		n := code.Bounds().Dx()
		m := size / float64(n)
		x0 := (l.st.width - size) / 2
		l.pdf.SetFillColor(0, 0, 0)
		for y := 0; y < n; y++ {
			for x := 0; x < n; {
				if !dark(code.At(x, y)) {
					x++
					continue
				}
				run := x
				for run < n && dark(code.At(run, y)) {
					run++
				}
				// A hair over the module's size, so that no seam shows
				// between neighbours when the page is rasterised.
				l.pdf.Rect(x0+float64(x)*m, l.y+float64(y)*m, float64(run-x)*m+0.03, m+0.03, "F")
				x = run
			}
		}
	}
	l.y += size
}

func dark(c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, _, _, _ := c.RGBA()
	return r < 0x8000
}
