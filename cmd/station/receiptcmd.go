package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// roll is how receipts come out on mm-wide paper: to the printer device
// STATION_PRINTER names, if any, as well as to PDF.
func (m *Main) roll(mm int) shopfront.Paper {
	return shopfront.Paper{MM: mm, Printer: m.Getenv("STATION_PRINTER")}
}

// paper returns the receipt width in mm: STATION_PAPER (58 or 80), else 80.
func (m *Main) paper() (int, error) {
	s := m.Getenv("STATION_PAPER")
	if s == "" {
		return 80, nil
	}
	mm, err := strconv.Atoi(s)
	if _, cerr := receipts.ColsFor(mm); err != nil || cerr != nil {
		return 0, refuse(nil, "STATION_PAPER 只能是 58 或 80（毫米）。", "STATION_PAPER is 58 or 80 (mm).")
	}
	return mm, nil
}

// printReceipt issues the receipt of an entry just recorded and, unless
// the command prints JSON, says where it is; it returns the PDF's path.
// The money has moved whatever happens here, so a receipt that cannot be
// made is a warning with what to do, not a failure.
func (m *Main) printReceipt(st *shopfront.Folder, seq uint64, asJSON bool) string {
	r, err := st.Receipt(seq)
	if errors.Is(err, receipts.ErrNoMoney) {
		return ""
	}
	path := ""
	if err == nil {
		var mm int
		if mm, err = m.paper(); err == nil {
			path, err = st.Issue(r, fmt.Sprintf("%06d.pdf", seq), m.lang, m.roll(mm))
		}
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, m.say("注意：业务已经办好，但收据没有打出来（%v）。请用 station receipt --dir %s --seq %d 重打。\n",
			"note: the transaction is done, but its receipt was not printed (%v). Reprint it with station receipt --dir %s --seq %d.\n"), err, st.Dir, seq)
		return path
	}
	if !asJSON {
		m.printf("收据：%s\n", "receipt: %s\n", path)
	}
	return path
}

// runReceipt reprints the receipt of an entry. The reprint says 重打 with
// its number, and is recorded in the ledger.
func (m *Main) runReceipt(ctx context.Context, args []string) error {
	fs := m.flags("receipt")
	var w worker
	w.register(fs)
	seq := fs.Uint64("seq", 0, "the entry whose receipt to reprint")
	pdfOut := fs.String("pdf", "", "write the PDF here (default: the station's receipts folder)")
	text := fs.Bool("text", false, "print the receipt as text for a thermal printer")
	width := fs.Int("width", 0, "paper width in mm: 58 or 80 (default STATION_PAPER, else 80)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *seq == 0 {
		return m.missingFlag("seq", "请用 --seq 给出要重打收据的账本序号。", "give the entry with --seq.")
	}
	mm, err := m.paper()
	if err != nil {
		return err
	}
	if *width != 0 {
		if _, err := receipts.ColsFor(*width); err != nil {
			return refuse(nil, "纸宽（--width）只能是 58 或 80。", "the paper width (--width) is 58 or 80.")
		}
		mm = *width
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Ledger.Get(*seq); errors.Is(err, ledger.ErrNotFound) {
		return refuse(nil, "账本里没有第 %d 笔，请核对序号（station ledger show 可查看）。", "there is no entry %d; check the number (see station ledger show).", *seq)
	}
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	r, err := st.Receipt(*seq)
	if errors.Is(err, receipts.ErrNoMoney) {
		return refuse(nil, "第 %d 笔没有动钱，没有收据。", "entry %d moves no money and has no receipt.", *seq)
	}
	if err != nil {
		return err
	}
	reprint, err := st.RecordReprint(w.operator, *seq)
	if err != nil {
		return err
	}
	r.Reprint = reprint.Count
	cols, _ := receipts.ColsFor(mm)
	switch {
	case *text:
		_, err = fmt.Fprint(m.Stdout, r.Text(m.lang, cols))
		return err
	case *pdfOut != "":
		b, err := shopfront.PDF(r, m.lang, mm)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*pdfOut, b, 0o644); err != nil {
			return refuse(err, "写不了 %s。", "cannot write %s.", *pdfOut)
		}
		m.printf("已重打第 %d 笔的收据（第 %d 次重打，记在账本第 %d 笔）：%s\n", "reprinted the receipt of entry %d (reprint %d, ledger entry %d): %s\n",
			*seq, reprint.Count, reprint.Entry, *pdfOut)
		return nil
	}
	path, err := st.Issue(r, fmt.Sprintf("%06d-reprint-%d.pdf", *seq, reprint.Count), m.lang, m.roll(mm))
	if err != nil {
		return err
	}
	m.printf("已重打第 %d 笔的收据（第 %d 次重打，记在账本第 %d 笔）：%s\n", "reprinted the receipt of entry %d (reprint %d, ledger entry %d): %s\n",
		*seq, reprint.Count, reprint.Entry, path)
	return nil
}

// serviceErr passes on the error of a service, first printing the receipt
// of a reversal the host acknowledged: it shows the villager that nothing
// was taken.
func (m *Main) serviceErr(c *shopfront.Counter, err error) error {
	var rv *terminal.ReversedError
	if errors.As(err, &rv) && rv.Reversal != 0 {
		m.printReceipt(c.Folder, rv.Reversal, false)
	}
	return err
}
