package staffweb_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/registry"
	"golang.org/x/mod/sumdb/note"
)

var updateScreens = flag.Bool("update-screens", false, "write the screenshots docs/screens/postoffice-*.png")

// browser is a headless Chromium looking at the staff pages at 1024×600.
type browser struct {
	t   *testing.T
	g   *region
	ctx context.Context
}

func openBrowser(t *testing.T, g *region) *browser {
	t.Helper()
	chromium := toolcheck.Require(t, "chromium", "chromium")
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1024, 600))
	bctx, bcancel := chromedp.NewContext(actx)
	bctx, tcancel := context.WithTimeout(bctx, 5*time.Minute)
	t.Cleanup(func() { tcancel(); bcancel(); acancel() })
	// The first action starts the browser, which lives as long as the
	// context it ran on: the test's, not one step's.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1024, 600)); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, g: g, ctx: bctx}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second) // generous: a shared, loaded machine
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%v; the page:\n%s", err, b.page())
	}
}

func (b *browser) page() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	if err != nil {
		return err.Error()
	}
	return v
}

// ready waits for app.js's word that the page has loaded with its
// stylesheet.
var ready = chromedp.WaitReady(chromedp.CSS("html[data-ready]"))

func (b *browser) open(path, wait string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.g.url+path), chromedp.WaitVisible(chromedp.ID(wait)), ready)
}

func (b *browser) click(id, wait string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.ID(id)), chromedp.WaitVisible(chromedp.ID(wait)), ready)
}

func (b *browser) fill(id, text string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(() => { document.getElementById(%q).value = ""; return true; })()`, id))
	b.do(chromedp.SendKeys(chromedp.ID(id), text))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(() => { const el = document.querySelector(%q); return el ? el.innerText : ""; })()`, sel))
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (b *browser) says(sel, want string) {
	b.t.Helper()
	if got := b.text(sel); !strings.Contains(got, want) {
		b.t.Errorf("%s says %q, want %q", sel, got, want)
	}
}

func (b *browser) shot(name string) {
	b.t.Helper()
	if !*updateScreens {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", "screens", "postoffice-"+name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) signin(id, password string) {
	b.t.Helper()
	if eval[bool](b, `!!document.getElementById('signout')`) {
		b.click("signout", "password")
	} else {
		b.open("/signin", "password")
	}
	b.fill("id", id)
	b.fill("password", password)
	b.click("signin", "stations")
}

// a11yJS lists what breaks the office-friendly rules on the page, loosely:
// a field without a label, a control without a name, a target under 60
// px, text under 24 px, Go's own words on the page.
const a11yJS = `(() => {
  const bad = [];
  const shown = el => { const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  const name = el => (el.id || el.name || el.textContent.trim().slice(0, 20));
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) bad.push('no label: ' + name(el));
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (!el.textContent.trim() && !el.getAttribute('aria-label')) bad.push('no name: ' + el.outerHTML.slice(0, 80));
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.height < 60 || r.width < 60) bad.push('target ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px: ' + name(el));
  }
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement;
    if (!walk.currentNode.textContent.trim() || !shown(el) || el.closest('svg')) continue;
    const fs = parseFloat(getComputedStyle(el).fontSize);
    if (fs < 24) bad.push('text ' + fs + 'px: ' + el.textContent.trim().slice(0, 30));
  }
  const text = document.body.innerText;
  for (const go of ['registry:', 'office:', '%!', '<nil>', 'map[', 'runtime error', 'staffweb:']) {
    if (text.includes(go)) bad.push('Go text on the page: ' + go);
  }
  if (!document.querySelector('#home')) bad.push('no way back to the start');
  return bad;
})()`

func (b *browser) accessible(page string) {
	b.t.Helper()
	b.do(ready)
	for _, size := range [][2]int64{{1024, 600}, {390, 844}} {
		b.do(chromedp.EmulateViewport(size[0], size[1]))
		if bad := eval[[]string](b, a11yJS); len(bad) > 0 {
			b.t.Errorf("%s at %dx%d breaks the rules:\n  %s", page, size[0], size[1], strings.Join(bad, "\n  "))
		}
		if size[0] < 1024 && eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			b.t.Errorf("%s at %dx%d scrolls sideways", page, size[0], size[1])
		}
	}
	b.do(chromedp.EmulateViewport(1024, 600))
}

// upload sets the files of a file field.
func (b *browser) upload(id string, paths ...string) {
	b.t.Helper()
	b.do(chromedp.SetUploadFiles(chromedp.ID(id), paths))
}

// fetch gets path in the page's session and returns its body.
func (b *browser) fetch(path string) []byte {
	b.t.Helper()
	s := eval[string](b, fmt.Sprintf(`fetch(%q).then(r => { if (!r.ok) throw new Error('status ' + r.status); return r.arrayBuffer(); })
		.then(buf => { let s = ''; const a = new Uint8Array(buf); for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s); })`, path))
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b.t.Fatal(err)
	}
	return data
}

// TestStaffPages works the staff pages in a real browser: a clerk signs
// in, sees what needs attention, reconciles a day against an uploaded
// journal, downloads statements and imports a missing day; a manager
// enrols a station, which a clerk may not.
func TestStaffPages(t *testing.T) {
	g := serveRegion(t)
	b := openBrowser(t, g)

	// Sign-in: a wrong password, then the clerk's.
	b.open("/", "password") // not signed in: the sign-in page
	b.accessible("sign-in")
	b.shot("signin")
	b.fill("id", "alice")
	b.fill("password", "not the password")
	b.click("signin", "error")
	b.says("#error", "账号或密码不对")
	b.signin("alice", clerkPassword)
	b.says("#who", "李丽（营业员）")

	// The attention list: the stations needing it first, each thing said.
	b.says("#summary", "3 个服务站需要处理")
	rows := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#stations tbody tr')].map(tr => [tr.dataset.station, tr.cells[3].innerText]))`)
	for station, want := range map[string][]string{
		"T0001": {"缺日：1 个文件已暂存", "迟交：最后结到 2026-11-20"},
		"T0002": {"分叉：1 个文件", "不要付款"},
		"T0003": {"迟交：还没有交过任何日结文件"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[station], w) {
				t.Errorf("%s needs %q, want %q", station, rows[station], w)
			}
		}
	}
	if n := eval[int](b, `document.querySelectorAll('#chart svg rect').length`); n == 0 {
		t.Error("the region's chart has no bars")
	}
	if eval[bool](b, `performance.getEntriesByType('resource').some(e => !e.name.startsWith(location.origin))`) {
		t.Error("the page fetched something from another site")
	}
	b.accessible("stations")
	b.shot("stations")

	// One station: its days and files, the fork kept as evidence.
	b.click("home", "stations")
	b.do(chromedp.Click(chromedp.CSS(`a[href="/stations/T0002"]`)), chromedp.WaitVisible(chromedp.ID("days")), ready)
	b.says("#attention", "分叉")
	b.says("#days", "2026-11-20")
	if n := eval[int](b, `document.querySelectorAll('#evidence tbody tr').length`); n != 1 {
		t.Errorf("T0002 shows %d forked files, want 1", n)
	}
	b.open("/stations/T0001", "days")
	b.says("#held", "1 个文件已核验并暂存")
	if eval[bool](b, `!!document.getElementById('retire') || !!document.getElementById('rotate')`) {
		t.Error("a clerk is offered a manager's actions")
	}
	b.accessible("station")
	b.shot("station")

	// Reconciliation with an uploaded journal: each exception explained.
	dir := t.TempDir()
	jpath := filepath.Join(dir, "bank-20261120.jsonl")
	if err := os.WriteFile(jpath, []byte(journal()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.click("nav-reconcile", "journal")
	b.fill("date", "")
	eval[bool](b, `(() => { document.getElementById('date').value = '2026-11-20'; return true; })()`)
	b.upload("journal", jpath)
	b.click("run", "result")
	b.says("#result", "异常 2 笔")
	explained := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#exceptions tbody tr')].map(tr => [tr.dataset.kind, tr.querySelector('.explain').innerText]))`)
	if !strings.Contains(explained["unknown_station"], "未登记的服务站") || len(explained) != 2 {
		t.Errorf("exceptions explained: %v", explained)
	}
	b.says(`#exceptions tr[data-kind="amount_mismatch"]`, "成功 800.00")
	for kind, why := range explained {
		if strings.TrimSpace(why) == "" {
			t.Errorf("exception %s is not explained", kind)
		}
	}
	b.accessible("reconciliation")
	b.shot("reconcile")
	// The stations list now counts the open exceptions.
	b.click("home", "stations")
	b.says(`#stations tr[data-station="T0001"]`, "对账异常：2026-11-20 有 1 笔没有核清")

	// Statements: the PDF reads back through pdftotext, the CSV parses.
	b.click("nav-statements", "month")
	b.accessible("statements")
	b.shot("statements")
	url := eval[string](b, `(() => { const f = document.querySelector('main form'); const d = new FormData(f); d.set('station', 'T0001'); d.set('format', 'pdf');
		return f.action + '?' + new URLSearchParams(d); })()`)
	if !strings.Contains(url, "/statements/download?station=T0001&month=2026-11&format=pdf") {
		t.Errorf("the statement form asks for %s", url)
	}
	pdftotext := toolcheck.Require(t, "pdftotext", "poppler-utils")
	pdf := filepath.Join(dir, "T0001.pdf")
	if err := os.WriteFile(pdf, b.fetch("/statements/download?station=T0001&month=2026-11&format=pdf"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil || !strings.Contains(string(out), "T0001") || !strings.Contains(string(out), "2026-11-20") {
		t.Errorf("the statement PDF reads:\n%s\n(%v)", out, err)
	}
	rowsCSV, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.fetch("/statements/download?station=all&month=2026-11&format=csv"), []byte("\ufeff")))).ReadAll()
	if err != nil || len(rowsCSV) < 3 {
		t.Fatalf("the region's CSV: %d rows, %v", len(rowsCSV), err)
	}
	var listed []string
	for _, r := range rowsCSV {
		listed = append(listed, strings.Join(r, ","))
	}
	for _, st := range []string{"T0001", "T0002", "T0003"} {
		if !strings.Contains(strings.Join(listed, "\n"), st) {
			t.Errorf("the region's CSV does not list %s:\n%s", st, strings.Join(listed, "\n"))
		}
	}

	// The clerk imports the missing day: it is taken, and the day held
	// after it with it.
	day2 := filepath.Join(dir, "T0001-20261121.bms")
	if err := os.WriteFile(day2, scenario(t, "intact-day2.bms"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.click("nav-import", "day")
	b.upload("day", day2)
	b.click("import", "outcomes")
	b.says("#outcomes", "接受：T0001 营业日 2026-11-21")
	b.says("#outcomes", "接受：T0001 营业日 2026-11-22")
	b.shot("import")
	b.click("home", "stations")
	if got := b.text(`#stations tr[data-station="T0001"]`); strings.Contains(got, "缺日") || strings.Contains(got, "迟交") {
		t.Errorf("T0001 after the missing day came: %q", got)
	}
	if s, _ := g.office.Station(t.Context(), "T0001"); s.LastDay != "2026-11-22" || s.Held != 0 {
		t.Errorf("T0001 in the registry: settled to %s, %d held", s.LastDay, s.Held)
	}
	b.open("/stations/T0001", "chart")
	if n := eval[int](b, `document.querySelectorAll('#chart circle').length`); n != 3 {
		t.Errorf("T0001's trend has %d points, want its 3 days", n)
	}
	b.shot("station-trend")

	// A clerk is refused enrolment; a manager enrols through the form.
	if eval[bool](b, `!!document.getElementById('nav-enrol')`) {
		t.Error("the clerk's menu offers enrolment")
	}
	b.open("/enrol", "problem")
	b.says("#problem", "只有主管")
	b.signin("bob", managerPassword)
	b.click("nav-enrol", "station")
	priv4, key := newKey(t, "T0004")
	b.fill("station", "T0004")
	b.fill("key", key)
	b.fill("franchisee", "陈美华")
	b.fill("deposit", "二万")
	b.click("enrol", "error")
	b.says("#error", "押金要写成 20000.00")
	if _, err := g.office.Station(t.Context(), "T0004"); err == nil {
		t.Error("a refused enrolment was recorded")
	}
	b.accessible("enrolment refused")
	b.fill("deposit", "20000.00")
	b.click("enrol", "done")
	s, err := g.office.Station(t.Context(), "T0004")
	if err != nil || s.Franchisee != "陈美华" || s.Deposit.String() != "20000" {
		t.Fatalf("enrolled: %+v, %v", s, err)
	}
	b.says("#done", "已登记服务站 T0004")
	b.says("#seal", keyfile.Fingerprint(priv4.Public().(ed25519.PublicKey)))
	b.shot("enrol")

	// The manager records T0003's new key from its pasted rotation note,
	// then retires T0003 once its id is typed again.
	_, newVK := newKey(t, "T0003")
	skey, err := keyfile.SignerKey("T0003", g.t3)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	vouch, err := note.Sign(&note.Note{Text: registry.Rotation{Station: "T0003", New: newVK, From: 1}.RotationText()}, signer)
	if err != nil {
		t.Fatal(err)
	}
	b.open("/stations/T0003", "vouch")
	b.accessible("station, manager")
	b.do(chromedp.SendKeys(chromedp.ID("vouch"), string(vouch)))
	b.click("rotate", "done")
	b.says("#done", "从第 1 笔起改用新密钥")
	if s, _ := g.office.Station(t.Context(), "T0003"); s.Key != newVK {
		t.Errorf("T0003's key after rotation: %s, want %s", s.Key, newVK)
	}
	b.click("back", "confirm")
	b.fill("confirm", "T0002")
	b.click("retire", "problem")
	b.says("#problem", "再写一遍站号 T0003")
	if s, _ := g.office.Station(t.Context(), "T0003"); s.Status == registry.Retired {
		t.Fatal("retired without the right confirmation")
	}
	b.open("/stations/T0003", "confirm")
	b.fill("confirm", "T0003")
	b.click("retire", "done")
	b.says("#done", "应退还加盟人 ¥20,000.00")
	b.says("#done", "支局没有收到过它的日结文件") // T0003 sent nothing
	b.shot("retire")
	if s, _ := g.office.Station(t.Context(), "T0003"); s.Status != registry.Retired {
		t.Errorf("T0003 after retirement: %s", s.Status)
	}
	if _, err := os.Stat(g.office.CloseoutPath("T0003")); err != nil {
		t.Errorf("the close-out statement: %v", err)
	}

	// English as a switch.
	b.click("lang", "stations")
	b.says("#title", "Stations")
	b.says(`#stations tr[data-station="T0002"]`, "Fork")
	b.accessible("stations in English")
}
