package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/shop"
	"golang.org/x/mod/sumdb/note"
)

// initOptions are what station init needs.
type initOptions struct {
	dir, id, name, zone, cutoff string
	phone                       string // the service phone printed on receipts
	postoffice                  string // the post office's note verifier key
	pass                        []byte
}

// stationInfo is what station init prints (and --json writes).
type stationInfo struct {
	Station     string `json:"station"`
	Name        string `json:"name"`
	Zone        string `json:"zone"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
	VerifierKey string `json:"verifier_key"`
}

func (m *Main) runInit(ctx context.Context, args []string) error {
	fs := m.flags("init")
	var o initOptions
	var passFile string
	var asJSON bool
	fs.StringVar(&o.dir, "dir", "", "the station's data folder (created)")
	fs.StringVar(&o.id, "id", "", "station id, e.g. T0001")
	fs.StringVar(&o.name, "name", "", "station name")
	fs.StringVar(&o.zone, "zone", "Asia/Shanghai", "time zone")
	fs.StringVar(&o.cutoff, "cutoff", ledger.DefaultCutoff, "business-day cut-off, HH:MM")
	fs.StringVar(&o.phone, "phone", "", "the station's service phone, printed on receipts, e.g. 0376-6201234")
	fs.StringVar(&o.postoffice, "postoffice-key", "", "the post office's verifier key, as it gave it (tariffs are checked against it)")
	fs.StringVar(&passFile, "passphrase-file", "", "file holding the key passphrase (else STATION_PASSPHRASE)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.checkInit(&o); err != nil {
		return err
	}
	pass, err := m.secret(passFile, "STATION_PASSPHRASE", "请设定印章口令（至少 8 个字符）：", "choose the key passphrase (8 characters or more): ", true)
	if err != nil {
		return err
	}
	o.pass = pass
	info, err := m.initStation(ctx, o)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(m.Stdout, info)
	}
	m.printf("服务站 %s「%s」已开通。\n", "Station %s (%s) is created.\n", info.Station, info.Name)
	m.printf("  数据文件夹：%s\n", "  data folder: %s\n", o.dir)
	m.printf("  印章编号（指纹）：%s\n", "  seal number (fingerprint): %s\n", info.Fingerprint)
	m.printf("  印章公钥：%s\n", "  public key: %s\n", info.PublicKey)
	m.printf("  登记用公钥：%s\n", "  verifier key: %s\n", info.VerifierKey)
	m.printf("下一步：把印章编号和登记用公钥交给邮政支局登记；再用 station operator add 添加店主。请记牢口令，并把 %s 备份到U盘。\n",
		"Next: give the seal number and verifier key to the post office for enrolment, then add the owner with station operator add. Remember the passphrase and back up %s.\n",
		filepath.Join(o.dir, shop.KeyFile))
	return nil
}

func (m *Main) checkInit(o *initOptions) error {
	if err := m.needDir(o.dir); err != nil {
		return err
	}
	if o.postoffice == "" {
		return m.missingFlag("postoffice-key", "请用 --postoffice-key 给出邮政支局的公钥（支局登记时给的那一行）。", "give the post office's verifier key with --postoffice-key.")
	}
	if _, err := note.NewVerifier(o.postoffice); err != nil {
		return refuse(err, "邮政支局公钥（--postoffice-key）格式不对，请照支局给的那一行原样抄写。", "the post office key (--postoffice-key) is malformed; copy it exactly as the post office gave it.")
	}
	if o.id == "" {
		return m.missingFlag("id", "请用 --id 给出服务站编号，例如 T0001。", "give the station id with --id, e.g. T0001.")
	}
	o.name = strings.TrimSpace(o.name)
	if o.name == "" || utf8.RuneCountInString(o.name) > 40 || strings.IndexFunc(o.name, unicode.IsControl) >= 0 {
		return refuse(nil, "站名（--name）要写 1 到 40 个字，例如“山前村便民服务站”。", "the station name (--name) must be 1 to 40 characters.")
	}
	o.phone = strings.TrimSpace(o.phone)
	if len(o.phone) > 20 || strings.Trim(o.phone, "0123456789-+ ") != "" {
		return refuse(nil, "服务电话（--phone）只能写数字和“-”，最多 20 位，例如 0376-6201234。", "the service phone (--phone) is digits and '-', at most 20, e.g. 0376-6201234.")
	}
	for _, f := range []string{shop.LedgerFile, shop.KeyFile} {
		if _, err := os.Stat(filepath.Join(o.dir, f)); err == nil {
			return refuse(nil, "%s 里已经开通过服务站了，不能再开通一次；什么都没有改动。要查看它，请用 station ledger show。",
				"a station already exists in %s; it cannot be created twice. Nothing was changed.", o.dir)
		}
	}
	if entries, err := os.ReadDir(o.dir); err == nil && len(entries) > 0 {
		return refuse(nil, "文件夹 %s 里已经有别的文件。请换一个新的空文件夹。", "the folder %s already holds other files; use a new, empty folder.", o.dir)
	}
	return nil
}

// initStation creates the key and the ledger; if the ledger cannot be
// made, the key is removed again so that a second try starts clean.
func (m *Main) initStation(ctx context.Context, o initOptions) (stationInfo, error) {
	if err := ctx.Err(); err != nil {
		return stationInfo{}, err
	}
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return stationInfo{}, refuse(err, "建不了文件夹 %s。", "cannot create the folder %s.", o.dir)
	}
	kpath := filepath.Join(o.dir, shop.KeyFile)
	pub, err := keyfile.Create(kpath, o.pass, o.id, m.KeyParams, rand.Reader)
	if err != nil {
		return stationInfo{}, err
	}
	priv, err := keyfile.Open(kpath, o.pass, o.id)
	if err == nil {
		var s *ledger.Store
		s, err = ledger.Create(filepath.Join(o.dir, shop.LedgerFile),
			ledger.Genesis{Terminal: o.id, Name: o.name, Zone: o.zone, Cutoff: o.cutoff, PostOfficeKey: o.postoffice, Phone: o.phone}, "init", priv, &ledger.Options{Now: m.Now})
		if err == nil {
			err = s.Close()
		}
	}
	if err != nil {
		os.Remove(kpath)
		return stationInfo{}, err
	}
	vkey, err := keyfile.VerifierKey(o.id, pub)
	if err != nil {
		return stationInfo{}, err
	}
	return stationInfo{
		Station: o.id, Name: o.name, Zone: o.zone,
		PublicKey:   base64.StdEncoding.EncodeToString(pub),
		Fingerprint: keyfile.Fingerprint(pub), VerifierKey: vkey,
	}, nil
}
