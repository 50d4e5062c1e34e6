package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/civildate"
)

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
