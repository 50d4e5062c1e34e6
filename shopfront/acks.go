package shopfront

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

// AcksDir is where a station keeps the post office's acknowledgements,
// one file per acknowledged entry: acks/000097.ack.
const AcksDir = "acks"

// Acks returns the stored acknowledgements, oldest first, checked against
// the post office key the station trusts.
func (st *Folder) Acks() ([]settlement.Ack, []string, error) {
	names, err := filepath.Glob(st.Path(filepath.Join(AcksDir, "*.ack")))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	v, err := note.NewVerifier(st.Ledger.Genesis().PostOfficeKey)
	if err != nil {
		return nil, nil, nil // a station without a post office key has no acknowledgements
	}
	var acks []settlement.Ack
	var texts []string
	for _, name := range names {
		msg, err := os.ReadFile(name)
		if err != nil {
			return nil, nil, err
		}
		a, err := settlement.OpenAck(msg, v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		acks, texts = append(acks, a), append(texts, string(msg))
	}
	return acks, texts, nil
}

// LatestAck returns the last acknowledgement the station holds (the signed
// note and what it says), or nothing.
func (st *Folder) LatestAck() (string, *settlement.Ack, error) {
	acks, texts, err := st.Acks()
	if err != nil || len(acks) == 0 {
		return "", nil, err
	}
	return texts[len(texts)-1], &acks[len(acks)-1], nil
}

// CheckAcks reports whether every acknowledgement still matches the
// ledger: the post office signed what the ledger said at each of them, so
// a ledger rewritten since no longer does.
func (st *Folder) CheckAcks() error {
	acks, _, err := st.Acks()
	if err != nil {
		return err
	}
	for _, a := range acks {
		e, err := st.Ledger.Get(a.Last.Seq)
		if err != nil || e.Hash != a.Last.Hash {
			return &ledger.VerifyError{Seq: a.Last.Seq, Kind: ledger.BadTruncated,
				Detail: fmt.Sprintf("the post office acknowledged entry %d of %s with another hash: the ledger was rewritten after the post office accepted that day", a.Last.Seq, a.Day)}
		}
	}
	return nil
}

// CheckAck checks an acknowledgement against the post office key the
// station trusts and against the ledger: it must be for this station and
// name a day_close entry exactly as the ledger holds it. It returns the
// acknowledgement and that entry.
func (st *Folder) CheckAck(msg []byte) (settlement.Ack, ledger.Entry, error) {
	g := st.Ledger.Genesis()
	v, err := note.NewVerifier(g.PostOfficeKey)
	if err != nil {
		return settlement.Ack{}, ledger.Entry{}, refuse(err, "本站没有登记邮政支局公钥，不能核对确认文件。", "this station has no post office key to check acknowledgements with.")
	}
	a, err := settlement.OpenAck(msg, v)
	if errors.Is(err, settlement.ErrAckSignature) {
		return a, ledger.Entry{}, refuse(nil, "这个确认文件不是本站所属邮政支局签发的，没有收下。", "this acknowledgement is not signed by this station's post office; not kept.")
	}
	if err != nil {
		return a, ledger.Entry{}, refuse(err, "这不是邮政支局的确认文件。", "this is not a post office acknowledgement.")
	}
	if a.Station != g.Terminal {
		return a, ledger.Entry{}, refuse(nil, "这个确认是给服务站 %s 的，不是本站（%s）的。", "this acknowledgement is for station %s, not this one (%s).", a.Station, g.Terminal)
	}
	e, err := st.Ledger.Get(a.Last.Seq)
	if err != nil || e.Hash != a.Last.Hash || e.Kind != ledger.KindDayClose || e.Day != a.Day {
		return a, ledger.Entry{}, refuse(nil, "这个确认对不上本站账本（第 %d 笔，营业日 %s）。请联系邮政支局核对。", "this acknowledgement does not match the ledger (entry %d, business day %s). Call the post office.", a.Last.Seq, a.Day)
	}
	return a, e, nil
}

// KeepAck records a checked acknowledgement in the ledger (once: the same
// acknowledgement again records nothing more) and keeps the signed note
// in the acks folder.
func (st *Folder) KeepAck(operator string, a settlement.Ack, msg []byte) (ledger.Entry, error) {
	payload, _ := json.Marshal(map[string]any{"seq": a.Last.Seq, "day": a.Day})
	entry, _, err := st.Ledger.Append(ledger.Draft{Operator: operator, Kind: "postoffice_ack", IdemKey: "ack:" + strconv.FormatUint(a.Last.Seq, 10), Payload: payload})
	if err != nil {
		return entry, err
	}
	if err := os.MkdirAll(st.Path(AcksDir), 0o700); err != nil {
		return entry, err
	}
	if err := WriteWhole(st.Path(filepath.Join(AcksDir, fmt.Sprintf("%06d.ack", a.Last.Seq))), msg); err != nil {
		return entry, refuse(err, "存不下确认文件。", "cannot keep the acknowledgement.")
	}
	return entry, nil
}

// DayFile is a settlement file the station wrote.
type DayFile struct {
	Path string
	Data []byte
	File *settlement.File
}

// Unsent returns the settlement files of the days after the last one the
// post office acknowledged (and from day since on, if given), in order.
func (st *Folder) Unsent(since string) ([]DayFile, error) {
	_, latest, err := st.LatestAck()
	if err != nil {
		return nil, err
	}
	paths, err := filepath.Glob(st.Path(filepath.Join(SettlementsDir, "*.bms")))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var days []DayFile
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, err := settlement.Parse(data)
		if err != nil {
			return nil, refuse(err, "日结文件 %s 读不出来。", "the settlement file %s cannot be read.", path)
		}
		if (since != "" && f.Day < since) || (latest != nil && f.Last.Seq <= latest.Last.Seq) {
			continue
		}
		days = append(days, DayFile{path, data, f})
	}
	return days, nil
}

// CheckNewerAcks checks the ledger against acknowledgement files the post
// office gave (newer than a backup): each must be signed by the post
// office, and the ledger must hold the entry it acknowledges with the
// same hash.
func (st *Folder) CheckNewerAcks(folder string) error {
	names, err := filepath.Glob(filepath.Join(folder, "*.ack"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	last := st.Ledger.Last()
	for _, name := range names {
		msg, err := os.ReadFile(name)
		if err != nil {
			return refuse(err, "读不了确认文件 %s。", "cannot read the acknowledgement %s.", name)
		}
		a, err := st.OpenAck(msg)
		if err != nil {
			return refuse(nil, "确认文件 %s 不是本站所属邮政支局签发的，没有恢复。", "the acknowledgement %s is not signed by this station's post office; nothing was restored.", name)
		}
		if a.Last.Seq > last.Seq {
			return refuse(nil, "备份比邮政支局已确认的旧：账本只到第 %d 笔，邮政支局已确认到第 %d 笔（营业日 %s）。没有恢复。请联系邮政支局，取回之后的日结文件再恢复。",
				"the backup is older than what the post office acknowledged: the ledger ends at entry %d, the post office acknowledged entry %d (business day %s). Nothing was restored. Call the post office for the later day files.",
				last.Seq, a.Last.Seq, a.Day)
		}
		e, err := st.Ledger.Get(a.Last.Seq)
		if err != nil || e.Hash != a.Last.Hash {
			return &ledger.VerifyError{Seq: a.Last.Seq, Kind: ledger.BadTruncated,
				Detail: fmt.Sprintf("the post office acknowledged entry %d of %s with another hash", a.Last.Seq, a.Day)}
		}
	}
	return nil
}

// OpenAck checks an acknowledgement's signature with the post office key
// of the signed genesis and that it is for this station.
func (st *Folder) OpenAck(msg []byte) (settlement.Ack, error) {
	g := st.Ledger.Genesis()
	v, err := note.NewVerifier(g.PostOfficeKey)
	if err != nil {
		return settlement.Ack{}, err
	}
	a, err := settlement.OpenAck(msg, v)
	if err == nil && a.Station != g.Terminal {
		err = fmt.Errorf("acknowledgement for station %s", a.Station)
	}
	return a, err
}
