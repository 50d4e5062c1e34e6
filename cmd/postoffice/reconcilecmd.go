package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/civildate"
	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/reconcile"
)

// files is a flag given more than once.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(s string) error { *f = append(*f, s); return nil }

// kindZh names the kinds of exception for the clerk.
var kindZh = map[string]string{
	reconcile.MissingAtHost:      "主机无记录",
	reconcile.MissingAtStation:   "服务站无记录",
	reconcile.NoFile:             "服务站文件未到",
	reconcile.UnknownStation:     "未登记的服务站",
	reconcile.AmountMismatch:     "金额不符",
	reconcile.Duplicate:          "主机重复处理",
	reconcile.ReversedApproved:   "一方冲正一方成功",
	reconcile.QueuedNotConfirmed: "排队未确认",
	reconcile.StatusMismatch:     "结果不一致",
}

// detailZh says what an exception means for the clerk to do.
func detailZh(e reconcile.Exception) string {
	switch e.Kind {
	case reconcile.MissingAtHost:
		return "服务站已记账，主机没有这笔：向主机查询"
	case reconcile.MissingAtStation:
		return "主机有这笔，服务站已交的文件里没有：向服务站核实"
	case reconcile.NoFile:
		return "该站这一天的日结文件还没到（或在等缺的一天）：催交文件"
	case reconcile.UnknownStation:
		return "主机流水里有未登记的服务站"
	case reconcile.AmountMismatch:
		return "双方金额不同：核对原始凭证"
	case reconcile.Duplicate:
		return "主机对同一流水号处理了不止一次"
	case reconcile.ReversedApproved:
		return "一方已冲正，另一方记为成功：按冲正规则处理"
	case reconcile.QueuedNotConfirmed:
		return "断网受理或候补的业务还没有最终结果：跟进"
	}
	return "双方结果不一致：核对"
}

// runReconcile matches a business day of every station against the
// hosts' journals.
func (m *Main) runReconcile(args []string) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
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
	r, err := m.openRegistry(*dir)
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
	rep, err := reconcile.Run(r, *date, js)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(*dir, "reconcile", "reconcile-"+strings.ReplaceAll(*date, "-", "")+".csv")
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	var csv strings.Builder
	if err := rep.WriteCSV(&csv); err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(csv.String()), 0o644); err != nil {
		return fail(exitFailed, "写不了 %s。", "cannot write %s.", *out)
	}
	m.printf("对账 营业日 %s：%d 个服务站的文件，%d 笔主机请求，主机流水 %d 行；相符 %d 笔，异常 %d 笔，读不了的流水 %d 行。\n",
		"Reconciliation of business day %s: files of %d station(s), %d host requests, %d journal lines; %d matched, %d exception(s), %d unreadable journal line(s).\n",
		rep.Date, rep.Stations, rep.Traces, rep.HostLines, rep.Matched, len(rep.Exceptions), len(rep.BadRows))
	if len(rep.Exceptions) > 0 {
		t := textwidth.Table{Right: map[int]bool{4: true, 6: true}}
		t.Add(m.say("异常", "exception"), m.say("流水号", "trace"), m.say("业务", "service"), m.say("服务站", "station says"),
			m.say("站金额", "amount"), m.say("主机", "host says"), m.say("主机金额", "amount"), m.say("说明", "detail"))
		for _, e := range rep.Exceptions {
			t.Add(m.say(kindZh[e.Kind], e.Kind), e.Trace, orDash(e.Service), orDash(e.StationState), orDash(e.StationAmount),
				orDash(e.HostState), orDash(e.HostAmount), m.say(detailZh(e), e.Detail))
		}
		fmt.Fprintln(m.Stdout)
		if err := t.Write(m.Stdout); err != nil {
			return err
		}
	}
	for _, b := range rep.BadRows {
		m.printf("读不了：%s 第 %d 行：%s\n", "unreadable: %s line %d: %s\n", b.Journal, b.Line, b.Err)
	}
	m.printf("异常清单（CSV）：%s\n", "Exceptions (CSV): %s\n", *out)
	if !rep.Clean() {
		return &failure{code: exitAttention, zh: "有异常要核查（退出码 3）。", en: "there are exceptions to look into (exit status 3)."}
	}
	m.printf("全部相符。\n", "Everything matches.\n")
	return nil
}
