package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/internal/textwidth"

	"github.com/villagepost/bianmin/ledger"
)

func (m *Main) runLedger(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station ledger verify、show 或 export。", "say what to do: station ledger verify, show or export.")
	}
	switch args[0] {
	case "verify":
		return m.ledgerVerify(args[1:])
	case "show":
		return m.ledgerShow(args[1:])
	case "export":
		return m.ledgerExport(args[1:])
	}
	return m.usageErr("账本没有“%s”这个操作；可用 verify、show、export。", "ledger has no %q; use verify, show or export.", args[0])
}

// ledgerVerify re-checks the whole ledger (or, with --quick, what is new
// since the last check) and prints one line.
func (m *Main) ledgerVerify(args []string) error {
	fs := m.flags("ledger verify")
	dir := fs.String("dir", "", "the station's data folder")
	quick := fs.Bool("quick", false, "verify only entries added since the last verification")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, err := m.openForView(context.Background(), *dir, false)
	if err != nil {
		return err
	}
	defer st.Close()
	verify := st.Ledger.VerifyAll
	if *quick {
		verify = st.Ledger.VerifyNew
	}
	r, err := verify()
	if err != nil {
		return err
	}
	if err := st.CheckAcks(); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{
			"ok": true, "station": st.Ledger.Genesis().Terminal, "from": r.From.Seq + 1, "to": r.To.Seq,
			"entries": r.Entries, "last_hash": hex.EncodeToString(r.To.Hash[:]),
		})
	}
	h := hex.EncodeToString(r.To.Hash[:])[:16]
	if *quick && r.Entries == 0 {
		m.printf("账本完好：上次核验（到第 %d 笔）之后没有新的账目，这次不用再核验。最后一笔哈希 %s…\n",
			"ledger intact: nothing new since the last check (through entry %d), so nothing to verify. Last hash %s…\n", r.To.Seq, h)
		return nil
	}
	if *quick {
		m.printf("账本完好：新核验 %d 笔（第 %d 至 %d 笔），最后一笔哈希 %s…\n", "ledger intact: %d new entries verified (%d to %d), last hash %s…\n",
			r.Entries, r.From.Seq+1, r.To.Seq, h)
		return nil
	}
	m.printf("账本完好：全部 %d 笔都核验过了（编号连续、哈希相连、印章签名有效、借贷平衡、余额相符），最后一笔哈希 %s…\n",
		"ledger intact: all %d entries verified (gapless, chained, signed, balanced, balances agree), last hash %s…\n", r.Entries, h)
	return nil
}

func (m *Main) ledgerShow(args []string) error {
	fs := m.flags("ledger show")
	dir := fs.String("dir", "", "the station's data folder")
	from := fs.Uint64("from", 1, "first entry")
	to := fs.Uint64("to", 0, "last entry (0: the last)")
	day := fs.String("day", "", "only this business day, YYYY-MM-DD")
	asJSON := fs.Bool("json", false, "print JSON, one entry per line")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *to != 0 && *to < *from {
		return m.usageErr("--to（%d）不能小于 --from（%d）。", "--to (%d) is before --from (%d).", *to, *from)
	}
	st, err := m.openForView(context.Background(), *dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	var each func(ledger.Entry) error
	// The table is written a page at a time so that a long ledger streams.
	var t *textwidth.Table
	if *asJSON {
		each = func(e ledger.Entry) error { return writeJSONLine(m, e) }
	} else {
		header := []string{m.say("序号", "seq"), m.say("时间", "time"), m.say("营业日", "day"),
			m.say("操作员", "operator"), m.say("业务", "kind"), m.say("分录", "postings")}
		t = &textwidth.Table{Right: map[int]bool{0: true}}
		t.Add(header...)
		zone := st.Ledger.Zone()
		each = func(e ledger.Entry) error {
			t.Add(strconv.FormatUint(e.Seq, 10), e.Time.In(zone).Format("2006-01-02 15:04:05"),
				e.Day, e.Operator, m.kindName(e.Kind), m.postingsText(e.Postings))
			if len(t.Rows) < 1000 {
				return nil
			}
			err := t.Write(m.Stdout)
			t.Rows = t.Rows[:0]
			return err
		}
	}
	if *day != "" {
		err = st.Ledger.Day(*day, func(e ledger.Entry) error {
			if e.Seq < *from || (*to != 0 && e.Seq > *to) {
				return nil
			}
			return each(e)
		})
	} else {
		err = st.Ledger.Range(*from, *to, each)
	}
	if err != nil {
		return err
	}
	if t != nil {
		return t.Write(m.Stdout)
	}
	return nil
}

func writeJSONLine(m *Main, e ledger.Entry) error {
	data, err := e.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(m.Stdout, "%s\n", data)
	return err
}

func (m *Main) postingsText(ps []ledger.Posting) string {
	if len(ps) == 0 {
		return "—"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		side := m.say("借", "Dr")
		if p.Side == ledger.Credit {
			side = m.say("贷", "Cr")
		}
		parts[i] = fmt.Sprintf("%s %s %s", side, p.Account, amountText(p.Commodity, p.Amount))
	}
	return strings.Join(parts, "; ")
}

func (m *Main) ledgerExport(args []string) error {
	fs := m.flags("ledger export")
	dir := fs.String("dir", "", "the station's data folder")
	format := fs.String("format", "", "export format: hledger")
	out := fs.String("out", "", "write to this file instead of the screen")
	from := fs.Uint64("from", 1, "first entry")
	to := fs.Uint64("to", 0, "last entry (0: the last)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *format == "" {
		return m.missingFlag("format", "请用 --format hledger 指明导出格式（目前只有 hledger）。", "choose the format with --format hledger (the only one so far).")
	}
	if *format != "hledger" {
		return m.usageErr("没有“%s”这种导出格式；目前只有 --format hledger。", "there is no export format %q; the only one so far is --format hledger.", *format)
	}
	st, err := m.openForView(context.Background(), *dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if *out == "" {
		return st.Ledger.WriteHledger(m.Stdout, *from, *to)
	}
	tmp := *out + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return refuse(err, "写不了文件 %s。", "cannot write %s.", *out)
	}
	err = st.Ledger.WriteHledger(f, *from, *to)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, *out)
	}
	if err != nil {
		os.Remove(tmp)
		return refuse(err, "写不了文件 %s。", "cannot write %s.", *out)
	}
	m.printf("已导出到 %s。\n", "exported to %s.\n", *out)
	return nil
}
