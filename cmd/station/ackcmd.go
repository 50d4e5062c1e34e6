package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/civildate"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

// acksDir is where a station keeps the post office's acknowledgements,
// one file per acknowledged entry: acks/000097.ack.
const acksDir = "acks"

// Acks returns the stored acknowledgements, oldest first, checked against
// the post office key the station trusts.
func (st *Folder) Acks() ([]settlement.Ack, []string, error) {
	names, err := filepath.Glob(st.Path(filepath.Join(acksDir, "*.ack")))
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

// runAck checks and keeps the post office's acknowledgement of a day's
// file, and records it in the ledger.
func (m *Main) runAck(ctx context.Context, args []string) error {
	fs := m.flags("ack")
	var w worker
	w.register(fs)
	msg, err := m.fileArg(fs, args, "请给出邮政支局的确认文件：station ack --dir D --operator OP1 文件", "give the post office's acknowledgement file: station ack --dir D --operator OP1 FILE")
	if err != nil {
		return err
	}
	st, err := m.openStation(w.dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	a, _, err := st.CheckAck(msg)
	if err != nil {
		return err
	}
	if err := m.signedIn(st, w); err != nil {
		return err
	}
	entry, err := st.KeepAck(w.operator, a, msg)
	if err != nil {
		return err
	}
	m.printf("已收下邮政支局的确认：截至营业日 %s（第 %d 笔）的日结已对账确认。记在账本第 %d 笔。\n",
		"kept the post office's acknowledgement: the days through %s (entry %d) are settled. Ledger entry %d.\n", a.Day, a.Last.Seq, entry.Seq)
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
	if err := os.MkdirAll(st.Path(acksDir), 0o700); err != nil {
		return entry, err
	}
	if err := writeWhole(st.Path(filepath.Join(acksDir, fmt.Sprintf("%06d.ack", a.Last.Seq))), msg); err != nil {
		return entry, refuse(err, "存不下确认文件。", "cannot keep the acknowledgement.")
	}
	return entry, nil
}

// runExport copies the settlement files not yet acknowledged to a folder,
// for a USB stick when there is no network.
func (m *Main) runExport(ctx context.Context, args []string) error {
	fs := m.flags("export")
	dir := fs.String("dir", "", "the station's data folder")
	since := fs.String("since", "", "the first business day to export, YYYY-MM-DD (default: all not yet acknowledged)")
	to := fs.String("to", "", "the folder to copy to, e.g. the USB stick")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return m.missingFlag("to", "请用 --to 给出要复制到的文件夹（例如U盘）。", "give the folder to copy to with --to (e.g. the USB stick).")
	}
	if *since != "" {
		if _, err := civildate.Parse("since", *since); err != nil {
			var de *civildate.Error
			errors.As(err, &de)
			return refuse(nil, "--since：%[1]s。", "--since: %[2]s.", de.RuleZh, de.Rule)
		}
	}
	st, err := m.openForView(ctx, *dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	days, err := st.Unsent(*since)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*to, 0o755); err != nil {
		return refuse(err, "建不了文件夹 %s。", "cannot create the folder %s.", *to)
	}
	n := 0
	for _, d := range days {
		for _, ext := range []string{".bms", ".csv", ".pdf"} {
			src := strings.TrimSuffix(d.Path, ".bms") + ext
			if err := copyFile(src, filepath.Join(*to, filepath.Base(src))); err != nil && !(ext != ".bms" && errors.Is(err, os.ErrNotExist)) {
				return refuse(err, "复制 %s 失败。", "copying %s failed.", src)
			}
		}
		m.printf("  %s（营业日 %s）\n", "  %s (business day %s)\n", filepath.Base(d.Path), d.File.Day)
		n++
	}
	if n == 0 {
		m.printf("没有要交的日结文件：都已经对账确认了。\n", "No settlement files to hand in: all are acknowledged.\n")
		return nil
	}
	m.printf("已复制 %d 天的日结文件到 %s。请交给邮政支局，收到确认文件后用 station ack 收下。\n",
		"Copied %d day(s) of settlement files to %s. Hand them to the post office and keep its acknowledgement with station ack.\n", n, *to)
	return nil
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
	paths, err := filepath.Glob(st.Path(filepath.Join(settlementsDir, "*.bms")))
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

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
