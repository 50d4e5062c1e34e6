package shopfront

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
)

// SettlementsDir is where a station writes its daily files.
const SettlementsDir = "settlements"

// Days opens the day-close service of a station; close the returned
// pending store when done.
func (st *Folder) Days() (*terminal.Days, func() error, error) {
	pending, err := terminal.OpenPending(st.DBPath(PendingFile))
	if err != nil {
		return nil, nil, refuse(err, "打不开待处理业务文件 %s。", "cannot open the pending file %s.", st.Path(PendingFile))
	}
	version := ""
	if t, err := st.LoadedTariff(); err == nil {
		version = t.Version
	}
	return &terminal.Days{Ledger: st.Ledger, Pending: pending, Tariff: version}, pending.Close, nil
}

// DayFiles are the files of a closed day.
type DayFiles struct{ File, CSV, PDF string }

// SettlementPath is where the file of a station's day goes:
// settlements/T0001-20261120.bms.
func (st *Folder) SettlementPath(day, ext string) string {
	return st.Path(filepath.Join(SettlementsDir, st.Ledger.Genesis().Terminal+"-"+strings.ReplaceAll(day, "-", "")+ext))
}

// WriteDay writes the settlement file of the day closed by entry close,
// with its CSV and PDF companions. Each is written whole or not at all.
func (st *Folder) WriteDay(close ledger.Entry) (DayFiles, error) {
	// A file must extend what the post office acknowledged.
	if err := st.CheckAcks(); err != nil {
		return DayFiles{}, err
	}
	ack, _, err := st.LatestAck()
	if err != nil {
		return DayFiles{}, err
	}
	f, err := settlement.FromLedger(st.Ledger, close.Seq, ack)
	if err != nil {
		return DayFiles{}, err
	}
	data, err := f.Sign(st.Key)
	if err != nil {
		return DayFiles{}, err
	}
	var csv, pdf bytes.Buffer
	if err := settlement.WriteCSV(&csv, f, st.Ledger.Zone()); err != nil {
		return DayFiles{}, err
	}
	ttf, err := cjkfont.TTF()
	if err != nil {
		return DayFiles{}, err
	}
	if err := settlement.WriteReport(&pdf, f, st.Ledger.Genesis().Name, close.Time, st.Ledger.Zone(), ttf); err != nil {
		return DayFiles{}, err
	}
	out := DayFiles{st.SettlementPath(f.Day, ".bms"), st.SettlementPath(f.Day, ".csv"), st.SettlementPath(f.Day, ".pdf")}
	if err := os.MkdirAll(st.Path(SettlementsDir), 0o700); err != nil {
		return out, err
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{out.File, data}, {out.CSV, csv.Bytes()}, {out.PDF, pdf.Bytes()}} {
		if err := WriteWhole(w.path, w.data); err != nil {
			return out, refuse(err, "写不了 %s。", "cannot write %s.", w.path)
		}
	}
	return out, nil
}

// WriteWhole writes a file through a temporary one, so that a crash leaves
// the old file or the new one, never half of it.
func WriteWhole(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Forgotten is a business day the shop forgot to close, closed late at
// the next start.
type Forgotten struct {
	Day     string // "" : none was forgotten
	Carried int    // pending items carried to the new day
	File    string // the day's settlement file
}

// CloseForgotten closes, late, a business day the shop forgot to close,
// before anything of the new day is recorded (operator records it). It
// runs whenever the key is unlocked; the caller says what it did.
func (st *Folder) CloseForgotten(operator string) (Forgotten, error) {
	d, done, err := st.Days()
	if err != nil {
		return Forgotten{}, err
	}
	defer done()
	day, ended := d.Open()
	if !ended || st.Ledger.LastDay() != day {
		return Forgotten{}, nil
	}
	e, c, err := d.Close(terminal.CloseRequest{Operator: operator, Carry: true})
	if err != nil {
		return Forgotten{}, err
	}
	files, err := st.WriteDay(e)
	if err != nil {
		return Forgotten{}, err
	}
	return Forgotten{Day: day, Carried: len(c.Carried), File: files.File}, nil
}
