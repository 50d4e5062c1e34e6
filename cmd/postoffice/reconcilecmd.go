package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/civildate"
	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/reconcile"
)

// files is a flag given more than once.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(s string) error { *f = append(*f, s); return nil }

// runReconcile matches a business day of every station against the
// hosts' journals.
func (m *Main) runReconcile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	date := fs.String("date", "", "the business day, YYYY-MM-DD")
	out := fs.String("out", "", "the CSV of exceptions to write (default: DIR/reconcile/reconcile-YYYYMMDD.csv)")
	var journals files
	fs.Var(&journals, "host-journal", "a host journal (JSON lines, as cmd/hostsim writes); give it once per file")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if *date == "" {
		return missingFlag("date", "请用 --date 给出营业日，写成 2026-11-20。", "give the business day with --date, like 2026-11-20.")
	}
	if _, err := civildate.Parse("date", *date); err != nil {
		var de *civildate.Error
		errors.As(err, &de)
		return fail(exitUsage, "请用 --date 给出营业日，写成 2026-11-20：%[1]s。", "give the business day with --date, like 2026-11-20: %[2]s.", de.RuleZh, de.Rule)
	}
	if len(journals) == 0 {
		return missingFlag("host-journal", "请用 --host-journal 给出银行、收费单位、承运人的流水文件。", "give the hosts' journals with --host-journal.")
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	var js []reconcile.Journal
	for _, p := range journals {
		f, err := os.Open(p)
		if err != nil {
			return fail(exitFailed, "读不了主机流水 %s。", "cannot read the host journal %s.", p)
		}
		defer f.Close()
		js = append(js, reconcile.Journal{Name: filepath.Base(p), R: f})
	}
	o := &office.Office{Dir: *dir, Registry: r}
	rep, err := o.Reconcile(ctx, *date, js)
	if err != nil {
		return err
	}
	if *out, err = o.SaveReconciliation(ctx, rep, *out); err != nil {
		return fail(exitFailed, "对账做完了，但结果没有记下来（登记簿或 %s 写不了）。请检查磁盘和数据库后再对一次账。",
			"the reconciliation ran but its results were not recorded (the registry or %s cannot be written). Check the disk and the database, then reconcile again.", *out)
	}
	m.printf("对账 营业日 %s：%d 个服务站的文件，%d 笔主机请求，主机流水 %d 行；相符 %d 笔，异常 %d 笔，读不了的流水 %d 行。\n",
		"Reconciliation of business day %s: files of %d station(s), %d host requests, %d journal lines; %d matched, %d exception(s), %d unreadable journal line(s).\n",
		rep.Date, rep.Stations, rep.Traces, rep.HostLines, rep.Matched, len(rep.Exceptions), len(rep.BadRows))
	if len(rep.Exceptions) > 0 {
		t := textwidth.Table{Right: map[int]bool{4: true, 6: true}}
		t.Add(m.say("异常", "exception"), m.say("流水号", "trace"), m.say("业务", "service"), m.say("服务站", "station says"),
			m.say("站金额", "amount"), m.say("主机", "host says"), m.say("主机金额", "amount"), m.say("说明", "detail"))
		for _, e := range rep.Exceptions {
			t.Add(reconcile.KindName(e.Kind, m.en), e.Trace, orDash(e.Service), orDash(e.StationState), orDash(e.StationAmount),
				orDash(e.HostState), orDash(e.HostAmount), m.say(e.Explain(), e.Detail))
		}
		fmt.Fprintln(m.Stdout)
		if err := t.Write(m.Stdout); err != nil {
			return err
		}
	}
	v, err := m.verifier(*dir)
	if err != nil {
		return err
	}
	o.Verifier = v
	disputes, err := o.DisputesOfDay(ctx, *date, rep)
	if err != nil {
		return m.registryErr(err)
	}
	open := 0
	if len(disputes) > 0 {
		m.printf("\n业务纠纷（这一天的业务）：\n", "\nDisputes (on this day's requests):\n")
		for _, dp := range disputes {
			if dp.Exception != "" {
				m.printf("  %s：对账异常 %s\n", "  %s: reconciliation exception %s\n", dp.Trace, reconcile.KindName(dp.Exception, m.en))
			} else {
				m.printf("  %s：对账相符\n", "  %s: the two sides agree\n", dp.Trace)
			}
			m.showDispute(m.Stdout, dp.Dispute)
			if dp.State == office.DisputeOpen || dp.State == office.DisputeForged {
				open++
			}
		}
	}
	for _, b := range rep.BadRows {
		m.printf("读不了：%s 第 %d 行：%s\n", "unreadable: %s line %d: %s\n", b.Journal, b.Line, b.Err)
	}
	m.printf("异常清单（CSV）：%s\n", "Exceptions (CSV): %s\n", *out)
	if !rep.Clean() || open > 0 {
		return &failure{code: exitAttention, zh: "有异常要核查（退出码 3）。", en: "there are exceptions to look into (exit status 3)."}
	}
	m.printf("全部相符。\n", "Everything matches.\n")
	return nil
}
