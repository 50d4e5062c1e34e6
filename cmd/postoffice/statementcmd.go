package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/statement"
)

// runStatement writes monthly statements: one station's, or with --all
// every station's and the region's summary, each as PDF and CSV.
func (m *Main) runStatement(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("statement", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	station := fs.String("station", "", "the station, e.g. T0001")
	all := fs.Bool("all", false, "every station, and the region's summary")
	month := fs.String("month", "", "the month, YYYY-MM")
	out := fs.String("out", "", "folder to write to (default: DIR/statements/YYYY-MM)")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if (*station == "") == !*all {
		return fail(exitUsage, "请用 --station 给出一个服务站，或用 --all 给出全部。", "give one station with --station, or every one with --all.")
	}
	if *month == "" {
		return missingFlag("month", "请用 --month 给出月份，写成 2026-11。", "give the month with --month, like 2026-11.")
	}
	if _, err := time.Parse("2006-01", *month); err != nil {
		return fail(exitUsage, "月份（--month）%q 不对：要写成 2026-11。", "the month (--month) %q is wrong: write it like 2026-11.", *month)
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	o := &office.Office{Dir: *dir, Registry: r}
	if *out == "" {
		*out = filepath.Join(*dir, "statements", *month)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ttf, err := cjkfont.TTF()
	if err != nil {
		return err
	}
	made := m.now()
	var list []*statement.Statement
	if *all {
		region, err := o.Region(ctx, *month)
		if err != nil {
			return m.registryErr(err)
		}
		list = region.Statements
		base := filepath.Join(*out, "region-"+*month)
		if err := m.writeBoth(base, region.WritePDF, region.WriteCSV, made, ttf); err != nil {
			return err
		}
		m.printf("全区 %s：%d 个服务站，%d 笔业务，手续费 %s，佣金 %s；月末邮政应付合计 %s。汇总：%s.pdf / .csv\n",
			"Region %s: %d station(s), %d services, fees %s, commission %s; owed at month end %s. Summary: %s.pdf / .csv\n",
			*month, len(list), region.Count, money.FormatReceipt(region.Fees), money.FormatReceipt(region.Commission), money.FormatReceipt(region.OwedClose), base)
	} else {
		s, err := o.Statement(ctx, *station, *month)
		if err != nil {
			return m.registryErr(err)
		}
		list = append(list, s)
	}
	for _, s := range list {
		base := filepath.Join(*out, s.Station.ID+"-"+*month)
		if err := m.writeBoth(base, s.WritePDF, s.WriteCSV, made, ttf); err != nil {
			return err
		}
		m.printf("%s %s：%d 个营业日，%d 笔业务，手续费 %s，佣金 %s，本月净额 %s，月末应结 %s，押金余额 %s。%s.pdf / .csv\n",
			"%s %s: %d day(s), %d services, fees %s, commission %s, net %s, owed at month end %s, deposit balance %s. %s.pdf / .csv\n",
			s.Station.ID, *month, len(s.Days), s.Count, money.FormatReceipt(s.Fees), money.FormatReceipt(s.Commission),
			money.FormatReceipt(s.Net), money.FormatReceipt(s.OwedClose), money.FormatReceipt(s.DepositBalance()), base)
	}
	return nil
}

// writeBoth writes base.pdf and base.csv.
func (m *Main) writeBoth(base string, pdf func(w io.Writer, made time.Time, ttf []byte) error, csv func(w io.Writer) error, made time.Time, ttf []byte) error {
	var p, c bytes.Buffer
	if err := pdf(&p, made, ttf); err != nil {
		return err
	}
	if err := csv(&c); err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		b    []byte
	}{{base + ".pdf", p.Bytes()}, {base + ".csv", c.Bytes()}} {
		if err := os.WriteFile(f.path, f.b, 0o644); err != nil {
			return fail(exitFailed, "写不了 %s。", "cannot write %s.", f.path)
		}
	}
	return nil
}

// now is the program's clock.
func (m *Main) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}
