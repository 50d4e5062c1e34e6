package receipts

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/villagepost/bianmin/internal/textwidth"
)

// Paper widths in printer columns; a Chinese character takes two.
const (
	Cols58 = 32 // 58 mm paper
	Cols80 = 48 // 80 mm paper
)

// ColsFor returns the columns of a paper width in mm (58 or 80).
func ColsFor(mm int) (int, error) {
	switch mm {
	case 58:
		return Cols58, nil
	case 80:
		return Cols80, nil
	}
	return 0, fmt.Errorf("receipts: paper is 58 or 80 mm wide, not %d", mm)
}

// cutHere separates copies on the roll.
var cutHere = Text{" 沿此线撕开 ", " tear here "}

// TextLines lays the receipt out for a printer of cols columns: every
// copy, the verification code written out under a note that the QR code
// carries it. No line is wider than cols.
func (r *Receipt) TextLines(lang string, cols int) []string {
	var out []string
	for i, p := range r.pages(lang) {
		if i > 0 {
			out = append(out, "", dashed(cutHere.In(lang), cols), "")
		}
		out = append(out, p.textLines(lang, cols, false)...)
	}
	return out
}

// Text is TextLines joined into one string, each line ended by "\n".
func (r *Receipt) Text(lang string, cols int) string {
	return strings.Join(r.TextLines(lang, cols), "\n") + "\n"
}

// textLines lays out one page. With qr the code's text is left out: an
// ESC/POS printer prints the QR code there instead.
func (p page) textLines(lang string, cols int, qr bool) []string {
	var out []string
	for _, h := range p.Header {
		for _, l := range wrap(h, cols) {
			out = append(out, center(l, cols))
		}
	}
	rule := strings.Repeat("-", cols)
	out = append(out, rule)
	labelW := 0
	for _, l := range p.Lines {
		if !l.Money { // amounts stand flush right, whatever their label
			labelW = max(labelW, textwidth.Width(l.Label))
		}
	}
	labelW = min(labelW, cols/3)
	for _, l := range p.Lines {
		out = append(out, labelled(l, labelW, cols)...)
	}
	if p.Capital != "" {
		out = append(out, wrap(p.Capital, cols)...)
	}
	out = append(out, rule)
	for _, n := range p.Notices {
		out = append(out, wrap(n, cols)...)
	}
	if len(p.Sign) > 0 {
		out = append(out, "")
		for _, s := range p.Sign {
			out = append(out, wrap(s, cols)...)
		}
	}
	if !qr {
		out = append(out, "", Text{"验证码（二维码内容）：", "Verification code (in the QR code):"}.In(lang))
		out = append(out, hardWrap(p.Code, cols)...)
	}
	return out
}

// labelled writes "label  value" on one line when it fits: amounts flush
// right, other values after the label column. A value too long for the
// line goes on the lines below, indented by two.
func labelled(l line, labelW, cols int) []string {
	label := textwidth.PadRight(l.Label, labelW)
	lw, vw := textwidth.Width(label), textwidth.Width(l.Value)
	switch {
	case l.Money && lw+1+vw <= cols:
		return []string{label + strings.Repeat(" ", cols-lw-vw) + l.Value}
	case !l.Money && lw+2+vw <= cols:
		return []string{label + "  " + l.Value}
	}
	out := wrap(l.Label, cols)
	for _, v := range wrap(l.Value, cols-2) {
		if l.Money {
			out = append(out, textwidth.PadLeft(v, cols))
		} else {
			out = append(out, "  "+v)
		}
	}
	return out
}

// dashed centres s in a line of dashes cols wide.
func dashed(s string, cols int) string {
	left := (cols - textwidth.Width(s)) / 2
	if left < 1 {
		return strings.Repeat("-", cols)
	}
	right := cols - left - textwidth.Width(s)
	return strings.Repeat("-", left) + s + strings.Repeat("-", right)
}

func center(s string, cols int) string {
	w := textwidth.Width(s)
	if w >= cols {
		return s
	}
	return strings.Repeat(" ", (cols-w)/2) + s
}

// wrap breaks s into lines of at most cols columns: between Chinese
// characters anywhere, between other words at spaces, and inside a word
// only when it is longer than a line.
func wrap(s string, cols int) []string {
	var out []string
	var cur strings.Builder
	w := 0
	flush := func() {
		out = append(out, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		w = 0
	}
	for _, tok := range tokens(s) {
		tw := textwidth.Width(tok)
		if tok == " " {
			if w > 0 && w < cols {
				cur.WriteString(" ")
				w++
			}
			continue
		}
		if w+tw > cols && w > 0 {
			carry := ""
			if closing(tok) {
				// A closing mark never starts a line: the character
				// before it goes down with it.
				line := cur.String()
				if _, size := utf8.DecodeLastRuneInString(line); size > 0 && size < len(line) {
					carry = line[len(line)-size:]
					cur.Reset()
					cur.WriteString(line[:len(line)-size])
				}
			}
			flush()
			cur.WriteString(carry)
			w = textwidth.Width(carry)
		}
		for tw > cols { // a word longer than a line
			head := cutWidth(tok, cols-w)
			cur.WriteString(head)
			flush()
			tok = tok[len(head):]
			tw = textwidth.Width(tok)
		}
		cur.WriteString(tok)
		w += tw
	}
	if cur.Len() > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// hardWrap cuts s into lines of cols columns exactly (for codes).
func hardWrap(s string, cols int) []string {
	var out []string
	for s != "" {
		head := cutWidth(s, cols)
		out = append(out, head)
		s = s[len(head):]
	}
	return out
}

// cutWidth returns the longest prefix of s at most cols columns wide (at
// least one rune).
func cutWidth(s string, cols int) string {
	w := 0
	for i, r := range s {
		rw := textwidth.RuneWidth(r)
		if w+rw > cols && i > 0 {
			return s[:i]
		}
		w += rw
	}
	return s
}

// tokens splits s into single wide characters, single spaces and runs of
// other characters (words).
func tokens(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		switch {
		case r == ' ' || textwidth.RuneWidth(r) == 2:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, s[i:i+utf8.RuneLen(r)])
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// closing reports whether tok is a punctuation mark that must not start a
// line (避头): 。，、；：？！）》」 and their kin.
func closing(tok string) bool {
	return strings.Contains("。，、；：？！）》」』”’．，", tok) && tok != ""
}
