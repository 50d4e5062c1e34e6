package receipts

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// ESC/POS commands (Epson's, as Chinese thermal printers take them).
var (
	escInit      = []byte{0x1b, 0x40}             // ESC @: reset
	escChinese   = []byte{0x1c, 0x26}             // FS &: Chinese character mode (GB18030)
	escLeft      = []byte{0x1b, 0x61, 0x00}       // ESC a 0
	escCenter    = []byte{0x1b, 0x61, 0x01}       // ESC a 1
	escBoldOn    = []byte{0x1b, 0x45, 0x01}       // ESC E 1
	escBoldOff   = []byte{0x1b, 0x45, 0x00}       // ESC E 0
	escFeedCut   = []byte{0x1d, 0x56, 0x42, 0x03} // GS V B 3: feed 3 lines and cut partly
	qrModel2     = []byte{0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00}
	qrErrorM     = []byte{0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31}
	qrPrintStore = []byte{0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30}
)

// ESCPOS returns the bytes that print the receipt on a thermal printer of
// cols columns (Cols58 or Cols80): text in GB18030, the verification code
// as a QR code the printer draws itself (GS ( k), each copy cut off.
func (r *Receipt) ESCPOS(lang string, cols int) ([]byte, error) {
	enc := simplifiedchinese.GB18030.NewEncoder()
	var b bytes.Buffer
	b.Write(escInit)
	b.Write(escChinese)
	write := func(s string) error {
		// ¥ (U+00A5) is outside GBK, which many printers' fonts stop at;
		// the full-width ￥ is in it.
		g, err := enc.String(strings.ReplaceAll(s, "¥", "￥"))
		if err != nil {
			return fmt.Errorf("receipts: ESC/POS text %q: %w", s, err)
		}
		b.WriteString(g)
		b.WriteByte('\n')
		return nil
	}
	module := byte(5) // dots per QR module: 58 mm paper is 384 dots wide
	if cols >= Cols80 {
		module = 7 // 576 dots
	}
	for _, p := range r.pages(lang) {
		lines := p.textLines(lang, cols, true)
		header := 0 // lines of the (wrapped) header, printed bold and centred
		for _, h := range p.Header {
			header += len(wrap(h, cols))
		}
		b.Write(escCenter)
		b.Write(escBoldOn)
		for i, l := range lines {
			if i == header {
				b.Write(escBoldOff)
				b.Write(escLeft)
			}
			if i < header {
				l = strings.TrimLeft(l, " ") // the printer centres the header
			}
			if err := write(l); err != nil {
				return nil, err
			}
		}
		b.Write(escCenter)
		writeQR(&b, p.Code, module)
		if err := write(scanHint.In(lang)); err != nil {
			return nil, err
		}
		b.Write(escLeft)
		b.Write(escFeedCut)
	}
	return b.Bytes(), nil
}

// writeQR stores data in the printer's QR symbol and prints it.
func writeQR(b *bytes.Buffer, data string, module byte) {
	b.Write(qrModel2)
	b.Write([]byte{0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, module})
	b.Write(qrErrorM)
	n := len(data) + 3
	b.Write([]byte{0x1d, 0x28, 0x6b, byte(n), byte(n >> 8), 0x31, 0x50, 0x30})
	b.WriteString(data)
	b.Write(qrPrintStore)
}
