package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/villagepost/bianmin/registry"
	"golang.org/x/term"
)

// runImport brings station day files into the registry: each is verified
// on all cores, then committed in order, whole or not at all.
func (m *Main) runImport(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("import", flag.ContinueOnError)
	dir := fset.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fset)
	acks := fset.String("acks", "", "folder to write the acknowledgements to (default: DIR/acks)")
	passFile := fset.String("passphrase-file", "", "file with the key passphrase (else POSTOFFICE_PASSPHRASE, else asked)")
	verbose := fset.Bool("v", false, "a line for every file, accepted ones too")
	fset.SetOutput(nopWriter{})
	if err := fset.Parse(args); err != nil {
		return fail(exitUsage, "命令行不对：%v", "bad command line: %v", err)
	}
	if fset.NArg() == 0 {
		return fail(exitUsage, "请给出要导入的日结文件或文件夹：postoffice import --dir D 文件或文件夹…", "give the day files or folders to import: postoffice import --dir D FILES|FOLDER…")
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	paths, err := dayFiles(fset.Args())
	if err != nil {
		return err
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	// The files are checked while the key is unlocked (the passphrase
	// KDF takes about a second on one core).
	stop := make(chan struct{})
	defer close(stop)
	results := checkAll(ctx, r, paths, stop)
	signer, err := m.signer(*dir, *passFile)
	if err != nil {
		return err
	}
	v, err := m.verifier(*dir)
	if err != nil {
		return err
	}
	if *acks == "" {
		*acks = filepath.Join(*dir, "acks")
	}
	im := &registry.Importer{Registry: r, Signer: signer, Verifier: v, Archive: filepath.Join(*dir, "archive")}
	sum := &importSummary{m: m, verbose: *verbose || len(paths) <= 50, acks: *acks}
	bar := m.progress(len(paths))
	for {
		batch := nextBatch(results, registry.MaxGroup)
		if len(batch) == 0 {
			break
		}
		var cs []*registry.Checked
		for _, res := range batch {
			if res.readErr == nil {
				cs = append(cs, res.checked)
			}
		}
		done := im.ImportMany(ctx, cs)
		for _, res := range batch {
			if res.readErr != nil {
				sum.refused(res.path, fail(exitFailed, "读不了文件", "cannot read the file"))
				bar.step(0)
				continue
			}
			d := done[0]
			done = done[1:]
			if d.Err != nil {
				sum.refused(res.path, m.registryErr(d.Err))
			}
			for i, o := range d.Outcomes {
				path := res.path
				if i > 0 {
					path = m.say("（暂存的）", "(held) ") + o.Station + " " + o.Day
				}
				sum.add(path, o)
			}
			bar.step(len(res.checked.Entries))
		}
		if err := sum.writeAcks(); err != nil {
			return err
		}
	}
	bar.done()
	return sum.print()
}

// nextBatch waits for the next checked file and takes with it those
// already checked after it, up to max.
func nextBatch(results <-chan checkResult, max int) []checkResult {
	res, ok := <-results
	if !ok {
		return nil
	}
	batch := []checkResult{res}
	for len(batch) < max {
		select {
		case res, ok := <-results:
			if !ok {
				return batch
			}
			batch = append(batch, res)
		default:
			return batch
		}
	}
	return batch
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// dayFiles lists the .bms files named or found under the folders named,
// in order of name, so that a station's days come in order.
func dayFiles(args []string) ([]string, error) {
	var paths []string
	for _, a := range args {
		info, err := os.Stat(a)
		if err != nil {
			return nil, fail(exitFailed, "找不到 %s。", "%s does not exist.", a)
		}
		if !info.IsDir() {
			paths = append(paths, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".bms") {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return nil, fail(exitFailed, "读不了文件夹 %s：%v", "cannot read the folder %s: %v", a, err)
		}
	}
	sort.SliceStable(paths, func(i, j int) bool { return filepath.Base(paths[i]) < filepath.Base(paths[j]) })
	if len(paths) == 0 {
		return nil, fail(exitFailed, "没有找到日结文件（.bms）。", "no day files (.bms) found.")
	}
	return paths, nil
}

type checkResult struct {
	path    string
	checked *registry.Checked
	readErr error
}

// checkAll reads and checks the files on every core and yields them in
// order, until stop is closed. Files are checked up to a group ahead of
// the one being committed, so that the cores keep checking while a commit
// waits on the disk.
func checkAll(ctx context.Context, r *registry.Registry, paths []string, stop <-chan struct{}) <-chan checkResult {
	workers := runtime.GOMAXPROCS(0)
	type job struct {
		path string
		out  chan checkResult
	}
	jobs := make(chan job)
	order := make(chan chan checkResult, registry.MaxGroup)
	results := make(chan checkResult)
	for range workers {
		go func() {
			for j := range jobs {
				data, err := os.ReadFile(j.path)
				if err != nil {
					j.out <- checkResult{path: j.path, readErr: err}
					continue
				}
				j.out <- checkResult{path: j.path, checked: r.Check(ctx, data)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(order)
		for _, p := range paths {
			out := make(chan checkResult, 1)
			select {
			case order <- out:
			case <-stop:
				return
			}
			select {
			case jobs <- job{p, out}:
			case <-stop:
				return
			}
		}
	}()
	go func() {
		defer close(results)
		for out := range order {
			select {
			case res := <-out:
				select {
				case results <- res:
				case <-stop:
					return
				}
			case <-stop:
				return
			}
		}
	}()
	return results
}

// importSummary counts what an import did and says it.
type importSummary struct {
	m        *Main
	verbose  bool
	acks     string
	accepted map[string]int // station → days
	entries  int
	replays  int
	lines    []string
	problems int
	pending  []ackFile // acknowledgements to write
	written  int       // acknowledgements written in all
}

type ackFile struct {
	path string
	data []byte
}

func (s *importSummary) refused(path string, err error) {
	s.problems++
	msg := err.Error()
	if f, ok := err.(*failure); ok {
		msg = s.m.say(f.zh, f.en)
	}
	s.lines = append(s.lines, fmt.Sprintf("%s %s: %s", s.m.say("✗ 拒收", "✗ refused"), path, msg))
}

func (s *importSummary) add(path string, o registry.Outcome) {
	m := s.m
	switch o.Status {
	case registry.Accepted:
		if s.accepted == nil {
			s.accepted = map[string]int{}
		}
		s.accepted[o.Station]++
		s.entries += o.Entries
		ack := filepath.Join(s.acks, o.Station+"-"+strings.ReplaceAll(o.Day, "-", "")+".ack")
		s.pending = append(s.pending, ackFile{ack, o.Ack})
		s.written++
		if s.verbose {
			s.lines = append(s.lines, fmt.Sprintf(m.say("✓ 接受 %s：%s 营业日 %s，%d 笔，回执 %s", "✓ accepted %s: %s day %s, %d entries, acknowledgement %s"),
				path, o.Station, o.Day, o.Entries, ack))
		}
	case registry.Replay:
		s.replays++
		if o.Ack != nil {
			// The day was accepted before (here or by another server
			// sharing the registry): its acknowledgement goes on the
			// USB stick again.
			s.pending = append(s.pending, ackFile{filepath.Join(s.acks, o.Station+"-"+strings.ReplaceAll(o.Day, "-", "")+".ack"), o.Ack})
			s.written++
		}
		if s.verbose {
			s.lines = append(s.lines, fmt.Sprintf(m.say("= 重复 %s：%s 营业日 %s 以前导入过，没有改动", "= replay %s: %s day %s was imported before; nothing changed"), path, o.Station, o.Day))
		}
	case registry.Held:
		s.problems++
		s.lines = append(s.lines, fmt.Sprintf(m.say("… 缺日 %s：%s 营业日 %s 已核验并暂存；缺少第 %d 至 %d 笔（%s 之后的营业日文件没到），补齐后自动导入",
			"… gap %s: %s day %s verified and held; entries %d to %d are missing (a day after %s has not come); it is imported when they come"),
			path, o.Station, o.Day, o.GapFrom, o.GapTo, orDash(o.GapAfter)))
	case registry.Fork:
		s.problems++
		s.lines = append(s.lines, fmt.Sprintf(m.say("⚠ 分叉 %s：%s 营业日 %s 与已回执的账不一致，已留证并标记该站（%s）",
			"⚠ fork %s: %s day %s contradicts what was acknowledged; kept as evidence and the station flagged (%s)"),
			path, o.Station, o.Day, o.Detail))
	}
}

// writeAcks writes the acknowledgements of the files accepted so far,
// after the transaction that recorded them. Each is also kept in the
// registry with its day.
func (s *importSummary) writeAcks() error {
	if len(s.pending) == 0 {
		return nil
	}
	if err := os.MkdirAll(s.acks, 0o755); err != nil {
		return fail(exitFailed, "写不了回执文件夹 %s。", "cannot write the acknowledgement folder %s.", s.acks)
	}
	for _, a := range s.pending {
		if err := os.WriteFile(a.path, a.data, 0o644); err != nil {
			return fail(exitFailed, "写不了回执 %s。", "cannot write the acknowledgement %s.", a.path)
		}
	}
	s.pending = s.pending[:0]
	return nil
}

func (s *importSummary) print() error {
	m := s.m
	for _, l := range s.lines {
		fmt.Fprintln(m.Stdout, l)
	}
	days := 0
	for _, n := range s.accepted {
		days += n
	}
	m.printf("导入完成：接受 %d 个营业日（%d 个服务站，%d 笔账目），重复 %d 个，要处理的 %d 个。\n",
		"Import done: %d day(s) accepted (%d station(s), %d entries), %d replay(s), %d needing attention.\n",
		days, len(s.accepted), s.entries, s.replays, s.problems)
	if s.written > 0 {
		m.printf("回执在 %s：请交给各服务站用 station ack 载入。\n", "Acknowledgements are in %s: give each station its own to load with station ack.\n", s.acks)
	}
	if s.problems > 0 {
		return &failure{code: exitAttention, zh: "有文件需要处理，见上面标 ✗ … ⚠ 的行。", en: "some files need attention: see the lines marked ✗ … ⚠ above."}
	}
	return nil
}

// progress is a bar on a terminal for a long import; elsewhere nothing.
type progress struct {
	m       *Main
	total   int
	n       int
	entries int
	start   time.Time
	last    time.Time
	on      bool
}

func (m *Main) progress(total int) *progress {
	p := &progress{m: m, total: total, start: time.Now()}
	if f, ok := m.Stderr.(*os.File); ok && total > 20 && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

func (p *progress) step(entries int) {
	p.n++
	p.entries += entries
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := width * p.n / p.total
	rate := float64(p.entries) / time.Since(p.start).Seconds()
	fmt.Fprintf(p.m.Stderr, "\r%s [%s%s] %d/%d  %.0f %s ", p.m.say("导入", "import"), strings.Repeat("#", fill), strings.Repeat("-", width-fill),
		p.n, p.total, rate, p.m.say("笔/秒", "entries/s"))
}

func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.m.Stderr, "\r\033[K")
	}
}
