package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/shopfront"
)

// serve starts postoffice serve on 127.0.0.1 and returns its address.
func (p *postofficeProc) serve(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(p.bin, "serve", "--dir", p.dir, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "POSTOFFICE_PASSPHRASE="+passphrase)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("postoffice serve log:\n%s", logs.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	if err != nil || url == "" {
		t.Fatalf("postoffice serve said %q, %v; log:\n%s", line, err, logs.String())
	}
	return url
}

// newRegionStation makes a station of the region: created, its owner
// OP1, the post office's tariff loaded, enrolled at the post office.
func newRegionStation(t *testing.T, po *postofficeProc, hostURL, id, name string) *regionStation {
	t.Helper()
	s := &regionStation{id: id, c: newCLI(t)}
	s.dir = filepath.Join(t.TempDir(), s.id)
	s.c.env["STATION_PASSPHRASE"], s.c.env["STATION_PIN"], s.c.env["STATION_HOST"], s.c.env["STATION_CARD_PIN"] = passphrase, ownerPIN, hostURL, "147258"
	out := s.c.must("init", "--dir", s.dir, "--id", s.id, "--name", name, "--postoffice-key", po.key)
	s.key = regexp.MustCompile(`登记用公钥：(\S+)`).FindStringSubmatch(out)[1]
	s.c.must("operator", "add", "--dir", s.dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	s.c.must("tariff", "load", "--dir", s.dir, "--operator", "OP1", po.tariff)
	po.expect(0, "enrol", "--station", s.id, "--pubkey", s.key, "--franchisee", "加盟人"+s.id, "--deposit", "20000.00", "--tariff", po.tariff)
	return s
}

// acked lists the days whose acknowledgement the station holds.
func (s *regionStation) acked(t *testing.T) []string {
	t.Helper()
	st, err := (&Main{Now: func() time.Time { return s.c.now }}).openStation(s.dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acks, _, err := st.Acks()
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, a := range acks {
		days = append(days, a.Day)
	}
	return days
}

// dropFirstUpload is a proxy in front of the post office that passes the
// first day file on and then cuts the line before the answer comes back.
type dropFirstUpload struct {
	to      string
	mu      sync.Mutex
	dropped int
}

func (d *dropFirstUpload) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequest(r.Method, d.to+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	d.mu.Lock()
	drop := r.URL.Path == postapi.PathDays && d.dropped == 0
	if drop {
		d.dropped++
	}
	d.mu.Unlock()
	if drop {
		panic(http.ErrAbortHandler) // the post office decided; the station never hears it
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(answer)
}

// TestOnlinePostOffice: three stations send their days to postoffice
// serve over the network. One station's line is cut for a day (its day
// goes by USB stick, the acknowledgement comes back over the network the
// next day), and one answer is lost on the way after the post office
// accepted the day. Every day is accepted exactly once, every station
// holds every acknowledgement, and every ledger verifies.
func TestOnlinePostOffice(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	url := po.serve(t)
	var stations []*regionStation
	for i, name := range []string{"山前村便民服务站", "河湾村便民服务站", "柳林村便民服务站"} {
		stations = append(stations, newRegionStation(t, po, h.url, fmt.Sprintf("T%04d", i+1), name))
	}
	t1, t2, t3 := stations[0], stations[1], stations[2]
	upload := func(s *regionStation, to string, want ...string) {
		t.Helper()
		out := s.c.must("upload", "--dir", s.dir, "--postoffice", to)
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s upload says\n%s\nwant %q", s.id, out, w)
			}
		}
	}
	work := func(s *regionStation) {
		s.c.must(s.op("withdraw", "--card", "6228480402564890018", "--amount", "200")...)
		s.c.must(s.op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "80")...)
		s.closeDay(t)
	}

	// Day 1: every station sends its day and gets it acknowledged.
	h.setClock(t1.c.now)
	for _, s := range stations {
		s.c.must(s.op("cash", "in", "--amount", "3000", "--reason", "float")...)
		work(s)
		upload(s, url, "营业日 2026-11-20：邮政已接收", "收下回执：营业日 2026-11-20", "已交给邮政支局：1 天；收下回执：1 份")
	}
	// Nothing more to send: said plainly, not an error; the address was
	// remembered.
	if out := t1.c.must("upload", "--dir", t1.dir); !strings.Contains(out, "没有要交的日结文件") {
		t.Errorf("a second upload says:\n%s", out)
	}

	// Day 2: T0003's line is down; T0002's answer is lost on the way.
	for _, s := range stations {
		s.c.now = time.Date(2026, 11, 21, 1, 30, 0, 0, time.UTC)
		work(s)
	}
	upload(t1, url, "营业日 2026-11-21：邮政已接收")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lossy := &dropFirstUpload{to: url}
	go http.Serve(ln, lossy)
	defer ln.Close()
	r := t2.c.run("upload", "--dir", t2.dir, "--postoffice", "http://"+ln.Addr().String())
	if r.code != exitFailed || !strings.Contains(r.stderr, "没交上的日结文件都还在") {
		t.Errorf("T0002 upload whose answer was lost: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	upload(t2, url, "营业日 2026-11-21：这一天的账邮政以前收到过", "收下回执：营业日 2026-11-21")

	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + dead.Addr().String()
	dead.Close()
	r = t3.c.run("upload", "--dir", t3.dir, "--postoffice", deadURL)
	if r.code != exitFailed || !strings.Contains(r.stderr, "连不上邮政支局") || !strings.Contains(r.stderr, "station export") {
		t.Errorf("T0003 upload with the line down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	usb := filepath.Join(t.TempDir(), "usb")
	t3.c.must("export", "--dir", t3.dir, "--to", usb)
	// The post office imports the stick while its server runs.
	if out := po.expect(0, "import", usb); !strings.Contains(out, "接受 1 个营业日") {
		t.Errorf("import of T0003's stick:\n%s", out)
	}

	// Day 3: the line is back; T0003's day 2 acknowledgement comes with it,
	// and sending day 2 again by network changes nothing.
	for _, s := range stations {
		s.c.now = time.Date(2026, 11, 22, 1, 30, 0, 0, time.UTC)
		work(s)
		upload(s, url, "营业日 2026-11-22：邮政已接收")
	}
	if out := po.expect(0, "import", usb); !strings.Contains(out, "重复 1 个") {
		t.Errorf("T0003's stick again:\n%s", out)
	}

	want := []string{"2026-11-20", "2026-11-21", "2026-11-22"}
	for _, s := range stations {
		if got := s.acked(t); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s holds acknowledgements of %v, want %v", s.id, got, want)
		}
		s.c.must("ledger", "verify", "--dir", s.dir)
	}
	if out := po.expect(0, "stations"); strings.Count(out, "2026-11-22") != 3 {
		t.Errorf("the post office's stations after three days:\n%s", out)
	}
}

// A new station gets its tariff from the post office the first time it
// goes online: the signed tariff issued to it at enrolment.
func TestUploadLoadsTheIssuedTariff(t *testing.T) {
	po := startPostOffice(t)
	url := po.serve(t)
	s := &regionStation{id: "T0009", c: newCLI(t)}
	s.dir = filepath.Join(t.TempDir(), s.id)
	s.c.env["STATION_PASSPHRASE"], s.c.env["STATION_PIN"] = passphrase, ownerPIN
	out := s.c.must("init", "--dir", s.dir, "--id", s.id, "--name", "新村便民服务站", "--postoffice-key", po.key)
	s.key = regexp.MustCompile(`登记用公钥：(\S+)`).FindStringSubmatch(out)[1]
	s.c.must("operator", "add", "--dir", s.dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	po.expect(0, "enrol", "--station", s.id, "--pubkey", s.key, "--franchisee", "新店主", "--deposit", "5000.00", "--tariff", po.tariff)
	if r := s.c.run("tariff", "show", "--dir", s.dir); r.code == 0 {
		t.Fatalf("a new station has a tariff before it went online:\n%s", r.stdout)
	}
	out = s.c.must("upload", "--dir", s.dir, "--postoffice", url)
	if !strings.Contains(out, "载入了邮政支局发来的新价目表") {
		t.Errorf("upload says:\n%s", out)
	}
	s.c.must("tariff", "show", "--dir", s.dir)
	if out := s.c.must("upload", "--dir", s.dir); !strings.Contains(out, "没有要交的日结文件") {
		t.Errorf("a second upload says:\n%s", out)
	}
	s.c.must("ledger", "verify", "--dir", s.dir)
}

// TestServeLoadsTheIssuedTariff: the post office signs a new tariff and
// issues it to an enrolled station (postoffice tariff issue); the station
// serving its screen with a post office link loads it by itself and
// prices the next customer by it without a restart.
func TestServeLoadsTheIssuedTariff(t *testing.T) {
	po := startPostOffice(t)
	url := po.serve(t)
	s := &regionStation{id: "T0010", c: newCLI(t)}
	s.dir = filepath.Join(t.TempDir(), s.id)
	s.c.env["STATION_PASSPHRASE"], s.c.env["STATION_PIN"] = passphrase, ownerPIN
	out := s.c.must("init", "--dir", s.dir, "--id", s.id, "--name", "新村便民服务站", "--postoffice-key", po.key)
	s.key = regexp.MustCompile(`登记用公钥：(\S+)`).FindStringSubmatch(out)[1]
	s.c.must("operator", "add", "--dir", s.dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	s.c.must("tariff", "load", "--dir", s.dir, "--operator", "OP1", po.tariff)
	po.expect(0, "enrol", "--station", s.id, "--pubkey", s.key, "--franchisee", "新店主", "--deposit", "5000.00", "--tariff", po.tariff)

	var said bytes.Buffer
	m := &Main{Stdout: &said, Stderr: &said, Getenv: func(k string) string { return s.c.env[k] }, Now: func() time.Time { return s.c.now }, KeyParams: keyfile.FastParams()}
	d, err := m.openDesk(context.Background(), serveOptions{dir: s.dir, postoffice: url})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Counter.Close()
	if v := d.Services().Tariff.Version; v != "TEST-2026-11" {
		t.Fatalf("the screen starts with tariff %s", v)
	}
	// The post office signs a newer version and issues it to the station.
	newer := bytes.Replace(testTariff(), []byte(`"version": "TEST-2026-11"`), []byte(`"version": "TEST-2026-11B"`), 1)
	newerJSON := filepath.Join(t.TempDir(), "newer.json")
	if err := os.WriteFile(newerJSON, newer, 0o644); err != nil {
		t.Fatal(err)
	}
	po.expect(0, "tariff", "sign", newerJSON)
	if out := po.expect(0, "tariff", "issue", "--station", s.id, "TEST-2026-11B"); !strings.Contains(out, "TEST-2026-11B 已发给 1 个服务站") {
		t.Errorf("tariff issue says %q", out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rounds := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Post().Run(ctx, func(_ *shopfront.UploadReport, err error) {
			select {
			case rounds <- err:
			default:
			}
		})
	}()
	if err := <-rounds; err != nil {
		t.Fatalf("the first round with the post office: %v", err)
	}
	cancel()
	<-done
	if v := d.Services().Tariff.Version; v != "TEST-2026-11B" {
		t.Errorf("after the link's round the screen prices by tariff %s, want the issued TEST-2026-11B", v)
	}
	if v := d.Counter.Tariff.Version; v != "TEST-2026-11B" {
		t.Errorf("the day's close names tariff %s", v)
	}
}
