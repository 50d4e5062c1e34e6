package shopfront_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// clock is a test clock the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// day1 is 10:00 in Shanghai on 2026-11-20.
var day1 = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)

func demo(t *testing.T, c *clock) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	created, err := shopfront.EnsureDemo(context.Background(), dir, c.now, keyfile.FastParams())
	if err != nil || !created {
		t.Fatalf("EnsureDemo: created %v, %v", created, err)
	}
	// A second time adds nothing and says it made nothing.
	if created, err := shopfront.EnsureDemo(context.Background(), dir, c.now, keyfile.FastParams()); err != nil || created {
		t.Fatalf("EnsureDemo again: created %v, %v", created, err)
	}
	return dir
}

func openDesk(t *testing.T, dir string, c *clock) (*shopfront.Desk, shopfront.DeskStart) {
	t.Helper()
	d, start, err := shopfront.OpenDesk(context.Background(), dir, shopfront.DeskOptions{
		Now: c.now, Paper: shopfront.Paper{MM: 80},
		Words: func(err error, lang string) string { return err.Error() },
	})
	if err != nil {
		t.Fatalf("OpenDesk: %v", err)
	}
	return d, start
}

// TestOpenRefusesWhatIsNoStation: a folder that is not there, or holds no
// ledger, is refused in the shopkeeper's words, naming the folder, and
// nothing is created.
func TestOpenRefusesWhatIsNoStation(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct{ name, dir, zh string }{
		{"no folder", filepath.Join(empty, "nowhere"), "没有找到服务站数据文件夹"},
		{"not a station", empty, "不是服务站的数据文件夹"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := shopfront.Open(tc.dir, nil, true)
			var r *shopfront.Refusal
			if !errors.As(err, &r) || !strings.Contains(r.Zh, tc.zh) || !strings.Contains(r.Zh, tc.dir) {
				t.Fatalf("Open(%s) = %v, want a refusal saying %q and naming the folder", tc.dir, err, tc.zh)
			}
			if entries, _ := os.ReadDir(empty); len(entries) != 0 {
				t.Errorf("a refused Open left %d files", len(entries))
			}
		})
	}
}

// TestInitRefusesBadInput: each rule of a new station is refused before
// anything is written, naming the flag.
func TestInitRefusesBadInput(t *testing.T) {
	good := func(dir string) shopfront.InitOptions {
		return shopfront.InitOptions{Dir: dir, ID: "T0009", Name: "山前村便民服务站", Zone: "Asia/Shanghai", Cutoff: "23:00",
			Phone: "0376-6201234", PostOfficeKey: tariff.DemoPostOfficeVerifierKey, Passphrase: []byte("a passphrase"), KeyParams: keyfile.FastParams()}
	}
	for _, tc := range []struct {
		name string
		bend func(*shopfront.InitOptions)
		flag string
	}{
		{"malformed post office key", func(o *shopfront.InitOptions) { o.PostOfficeKey = "postoffice+1234+abc" }, "--postoffice-key"},
		{"no id", func(o *shopfront.InitOptions) { o.ID = "" }, "--id"},
		{"blank name", func(o *shopfront.InitOptions) { o.Name = "   " }, "--name"},
		{"name too long", func(o *shopfront.InitOptions) { o.Name = strings.Repeat("村", 41) }, "--name"},
		{"letters in the phone", func(o *shopfront.InitOptions) { o.Phone = "call me" }, "--phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new")
			o := good(dir)
			tc.bend(&o)
			_, err := shopfront.Init(context.Background(), o)
			var r *shopfront.Refusal
			if !errors.As(err, &r) || !strings.Contains(r.Zh, tc.flag) || !strings.Contains(r.En, tc.flag) {
				t.Fatalf("Init = %v, want a refusal naming %s", err, tc.flag)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused Init made the folder")
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "new")
		if _, err := shopfront.Init(context.Background(), good(dir)); err != nil {
			t.Fatal(err)
		}
		key, _ := os.ReadFile(filepath.Join(dir, shopfront.KeyFile))
		_, err := shopfront.Init(context.Background(), good(dir))
		var r *shopfront.Refusal
		if !errors.As(err, &r) || !strings.Contains(r.Zh, "已经开通过") {
			t.Fatalf("a second Init = %v", err)
		}
		if again, _ := os.ReadFile(filepath.Join(dir, shopfront.KeyFile)); string(again) != string(key) {
			t.Error("a refused second Init changed the key")
		}
	})
}

// TestUnlock: the key opens with its passphrase only.
func TestUnlock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "T0009")
	made, err := shopfront.Init(context.Background(), shopfront.InitOptions{Dir: dir, ID: "T0009", Name: "山前村便民服务站", Zone: "Asia/Shanghai", Cutoff: "23:00",
		PostOfficeKey: tariff.DemoPostOfficeVerifierKey, Passphrase: []byte("right passphrase"), KeyParams: keyfile.FastParams()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := shopfront.Open(dir, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Unlock([]byte("wrong passphrase")); err == nil || st.Key != nil {
		t.Fatalf("the wrong passphrase unlocked the key (%v)", err)
	}
	if err := st.Unlock([]byte("right passphrase")); err != nil || st.Key == nil {
		t.Fatalf("the right passphrase: %v", err)
	}
	if got, err := shopfront.CreatedOf(st); err != nil || got != made {
		t.Errorf("CreatedOf = %+v, %v; Init said %+v", got, err, made)
	}
}

// TestDeskForgottenDay: a desk serves a sale; the shop forgets to close the
// day; the next morning's start closes it late, writes its settlement file
// and says so, and the sale is in it.
func TestDeskForgottenDay(t *testing.T) {
	c := &clock{day1}
	dir := demo(t, c)
	d, start := openDesk(t, dir, c)
	if start.Forgotten.Day != "" || start.Recovered.Settled != 0 || len(start.Recovered.Untold) != 0 {
		t.Fatalf("a new demo's start found %+v", start)
	}
	if !d.Demo() || d.Post() != nil {
		t.Errorf("the demo desk: demo %v, post office link %v", d.Demo(), d.Post())
	}
	sale, err := d.Services().Goods.Sell(terminal.Sale{Operator: "OP1", Lines: []terminal.Line{{SKU: "DAILY-SOAP", Qty: 2}}, IdemKey: "test:sale"})
	if err != nil {
		t.Fatal(err)
	}
	if !sale.Total.Equal(decimal.RequireFromString("7.00")) {
		t.Errorf("two soaps cost %s", sale.Total)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	c.t = day1.Add(24 * time.Hour)
	d, start = openDesk(t, dir, c)
	defer d.Close()
	f := start.Forgotten
	if f.Day != "2026-11-20" || f.File == "" {
		t.Fatalf("the next morning's start closed %+v, want 2026-11-20 with its file", f)
	}
	data, err := os.ReadFile(f.File)
	if err != nil {
		t.Fatal(err)
	}
	file, err := settlement.Parse(data)
	if err != nil {
		t.Fatalf("the late-closed day's file: %v", err)
	}
	if file.Day != "2026-11-20" || file.Station != shopfront.DemoID {
		t.Errorf("the file is %s's day %s", file.Station, file.Day)
	}
	status, err := d.Status()
	if err != nil {
		t.Fatal(err)
	}
	if status.Day != "2026-11-21" {
		t.Errorf("after the late close the desk works on day %s", status.Day)
	}
}
