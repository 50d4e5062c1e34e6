package shopfront

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/terminal"
)

// ReceiptsDir is where a station keeps the PDFs of its receipts.
const ReceiptsDir = "receipts"

// Receipt builds and signs the Receipt of entry seq.
func (st *Folder) Receipt(seq uint64) (*receipts.Receipt, error) {
	e, err := st.Ledger.Get(seq)
	if err != nil {
		return nil, err
	}
	g := st.Ledger.Genesis()
	r, err := receipts.New(receipts.Station{ID: g.Terminal, Name: g.Name, Phone: g.Phone, Zone: st.Ledger.Zone()}, e, st.Ledger.Get)
	if err != nil {
		return nil, err
	}
	if st.Key == nil {
		return nil, errors.New("the station key is not unlocked")
	}
	return r, r.Sign(st.Key)
}

// Paper is how receipts come out.
type Paper struct {
	MM      int    // the roll's width: 58 or 80
	Printer string // the printer device the ESC/POS bytes go to; "" : none
}

// Issue prints a receipt at once, in lang: the PDF into the station's
// receipts folder as name and, when p names a printer device, the ESC/POS
// bytes to it. It returns the PDF's path.
func (st *Folder) Issue(r *receipts.Receipt, name, lang string, p Paper) (string, error) {
	pdf, err := PDF(r, lang, p.MM)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(st.Path(ReceiptsDir), 0o700); err != nil {
		return "", err
	}
	path := st.Path(filepath.Join(ReceiptsDir, name))
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		return "", err
	}
	if dev := p.Printer; dev != "" {
		cols, _ := receipts.ColsFor(p.MM)
		b, err := r.ESCPOS(lang, cols)
		if err != nil {
			return path, err
		}
		f, err := os.OpenFile(dev, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return path, err
		}
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return path, fmt.Errorf("printer %s: %w", dev, err)
		}
	}
	return path, nil
}

// PDF renders a receipt as a PDF in lang on mm-wide paper.
func PDF(r *receipts.Receipt, lang string, mm int) ([]byte, error) {
	ttf, err := cjkfont.TTF()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = r.WritePDF(&b, lang, mm, ttf)
	return b.Bytes(), err
}

type Reprint struct {
	Count int
	Entry uint64
}

// RecordReprint records the next reprint of entry seq and returns its
// number: 1 for the first reprint.
func (st *Folder) RecordReprint(operator string, seq uint64) (Reprint, error) {
	if void, ok := terminal.Voided(st.Ledger, seq); ok {
		return Reprint{}, &terminal.VoidedError{Step: terminal.StepReprint, Seq: seq, Void: void}
	}
	n := 1
	for ; ; n++ {
		_, err := st.Ledger.ByIdemKey(fmt.Sprintf("reprint:%d:%d", seq, n))
		if errors.Is(err, ledger.ErrNotFound) {
			break
		}
		if err != nil {
			return Reprint{}, err
		}
	}
	payload, err := json.Marshal(map[string]any{"seq": seq, "count": n})
	if err != nil {
		return Reprint{}, err
	}
	e, _, err := st.Ledger.Append(ledger.Draft{Operator: operator, Kind: "receipt_reprint", IdemKey: fmt.Sprintf("reprint:%d:%d", seq, n), Payload: payload})
	return Reprint{n, e.Seq}, err
}
