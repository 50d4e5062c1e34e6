package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

type run struct {
	code     int
	out, err string
}

func po(t *testing.T, env map[string]string, args ...string) run {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }, KeyParams: keyfile.FastParams()}
	code := m.Run(context.Background(), args)
	return run{code, out.String(), errOut.String()}
}

// testStationKey is settlement's test station T0001, as station init
// printed it: its day files are settlement/testdata/scenarios.
const testStationKey = "T0001+98092494+AZw1P1drFqh7maieoFILH32rGQh2eVUKVrsLQoRxk7rk"

// newPostOffice makes a post office in a new folder and signs the demo
// tariff: its folder, the environment its commands run with, and the
// signed tariff's path.
func newPostOffice(t *testing.T) (dir string, env map[string]string, signed string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "po")
	env = map[string]string{"POSTOFFICE_PASSPHRASE": "regional office passphrase"}
	if r := po(t, env, "init", "--dir", dir, "--name", "xinyang-postoffice"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	in := filepath.Join(t.TempDir(), "tariff.json")
	if err := os.WriteFile(in, tariff.DemoJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := po(t, env, "tariff", "sign", "--dir", dir, in); r.code != 0 {
		t.Fatalf("tariff sign: %+v", r)
	}
	return dir, env, strings.TrimSuffix(in, ".json") + ".signed"
}

// TestSignTariff: a post office makes its key, signs a tariff, and the
// signature checks against the key it printed; an edited file does not.
func TestSignTariff(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "po")
	env := map[string]string{"POSTOFFICE_PASSPHRASE": "regional office passphrase"}
	r := po(t, env, "init", "--dir", dir, "--name", "xinyang-postoffice")
	if r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.err)
	}
	vkey := strings.TrimSpace(po(t, env, "key", "--dir", dir).out)
	if !strings.HasPrefix(vkey, "xinyang-postoffice+") || !strings.Contains(r.out, vkey) {
		t.Fatalf("key %q, init said:\n%s", vkey, r.out)
	}
	in := filepath.Join(t.TempDir(), "tariff.json")
	os.WriteFile(in, tariff.DemoJSON, 0o644)
	if r := po(t, env, "tariff", "sign", "--dir", dir, in); r.code != 0 || !strings.Contains(r.out, "DEMO-2026-11") {
		t.Fatalf("sign: %+v", r)
	}
	signed, err := os.ReadFile(strings.TrimSuffix(in, ".json") + ".signed")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := note.NewVerifier(vkey)
	if _, err := tariff.Open(signed, v); err != nil {
		t.Errorf("the signed tariff does not open with the printed key: %v", err)
	}
	edited := bytes.Replace(signed, []byte(`"135.00"`), []byte(`"13.50"`), 1)
	if _, err := tariff.Open(edited, v); err == nil {
		t.Error("an edited tariff opened")
	}

	t.Run("BadInput", func(t *testing.T) {
		for _, tc := range []struct {
			want string
			env  map[string]string
			args []string
		}{
			{"已经有支局密钥", env, []string{"init", "--dir", dir, "--name", "x"}},
			{"密钥名称", env, []string{"init", "--dir", t.TempDir(), "--name", "has space"}},
			{"口令太短", map[string]string{"POSTOFFICE_PASSPHRASE": "short"}, []string{"init", "--dir", t.TempDir(), "--name", "x"}},
			{"POSTOFFICE_PASSPHRASE", nil, []string{"init", "--dir", t.TempDir(), "--name", "x"}},
			{"口令不对", map[string]string{"POSTOFFICE_PASSPHRASE": "not the passphrase"}, []string{"tariff", "sign", "--dir", dir, in}},
			{"没有支局密钥", env, []string{"tariff", "sign", "--dir", t.TempDir(), in}},
			{"读不了价目表", env, []string{"tariff", "sign", "--dir", dir, "/nonexistent.json"}},
			{"还没有签发", env, []string{"tariff", "issue", "--dir", dir, "--all", "DEMO-2027-01"}},
			{"二者选一", env, []string{"tariff", "issue", "--dir", dir, "DEMO-2026-11"}},
			{"二者选一", env, []string{"tariff", "issue", "--dir", dir, "--all", "--station", "T0001", "DEMO-2026-11"}},
			{"没有登记这个服务站", env, []string{"tariff", "issue", "--dir", dir, "--station", "T0404", "DEMO-2026-11"}},
			{"价目表有两个操作", env, []string{"tariff", "assign", "--dir", dir}},
		} {
			r := po(t, tc.env, tc.args...)
			if r.code == 0 || !strings.Contains(r.err, tc.want) {
				t.Errorf("%v: exit %d, %q; want it to say %q", tc.args, r.code, r.err, tc.want)
			}
		}
		bad := filepath.Join(t.TempDir(), "bad.json")
		os.WriteFile(bad, bytes.Replace(tariff.DemoJSON, []byte(`"per_card_day_count": 5`), []byte(`"per_card_day_count": 500`), 1), 0o644)
		if r := po(t, env, "tariff", "sign", "--dir", dir, bad); r.code == 0 || !strings.Contains(r.err, "limits.per_card_day_count") {
			t.Errorf("a bad tariff: %+v", r)
		}
		if _, err := os.Stat(strings.TrimSuffix(bad, ".json") + ".signed"); err == nil {
			t.Error("a refused tariff was written")
		}
	})
}

func TestVerifyReceipt(t *testing.T) {
	priv := ed25519.NewKeyFromSeed([]byte("a station key for verify tests!!"))
	c := receipts.Code{Station: "T0001", Seq: 42, Time: time.Date(2026, 11, 20, 1, 2, 3, 0, time.UTC), Kind: "withdrawal",
		Total: decimal.RequireFromString("500.00"), Refs: []receipts.Ref{{Key: "trace", Value: "T0001-000041"}}}
	if err := c.Sign(priv); err != nil {
		t.Fatal(err)
	}
	code := c.String()
	raw := base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	vkey, _ := keyfile.VerifierKey("T0001", priv.Public().(ed25519.PublicKey))
	wrongName, _ := keyfile.VerifierKey("T0002", priv.Public().(ed25519.PublicKey))
	for _, key := range []string{raw, vkey} {
		r := po(t, nil, "verify-receipt", "--pubkey", key, code)
		if r.code != 0 || !strings.Contains(r.out, "有效") || !strings.Contains(r.out, "¥500.00") || !strings.Contains(r.out, "T0001-000041") {
			t.Errorf("key %s: %+v", key, r)
		}
	}
	// The code as an 80 mm receipt prints it, typed in line by line.
	printed := code[:48] + "\n" + code[48:96] + "\n" + code[96:] + "\n"
	if r := po(t, nil, "verify-receipt", "--pubkey", vkey, printed); r.code != 0 || !strings.Contains(r.out, "有效") {
		t.Errorf("the code as printed, in lines of 48: %+v", r)
	}
	for _, tc := range []struct{ want, key, code string }{
		{"无效：签名对不上", raw, strings.Replace(code, "|42|", "|43|", 1)},
		{"无效：这不是一张收据的验证码", raw, "hello"},
		{"无效：这张收据自称来自服务站 T0001", wrongName, code},
		{"格式不对", "T0001+zzz", code},
		{"--pubkey", "", code},
	} {
		r := po(t, nil, "verify-receipt", "--pubkey", tc.key, tc.code)
		if r.code == 0 || !strings.Contains(r.err, tc.want) {
			t.Errorf("%q with %q: %+v, want %q", tc.code, tc.key, r, tc.want)
		}
	}
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(code + "\n"), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	if m.Run(context.Background(), []string{"verify-receipt", "--pubkey", vkey, "-", "--lang", "en"}) != 0 || !strings.Contains(out.String(), "VALID") {
		t.Errorf("from standard input: %s%s", out.String(), errOut.String())
	}
}
