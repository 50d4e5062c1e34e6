package shopfront

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"golang.org/x/mod/sumdb/note"
)

// InitOptions are what a new station is made of.
type InitOptions struct {
	Dir, ID, Name string
	Zone          string // an IANA time zone, e.g. Asia/Shanghai
	Cutoff        string // the business day's cut-off, HH:MM
	Phone         string // the service phone printed on receipts
	PostOfficeKey string // the post office's note verifier key
	Passphrase    []byte
	KeyParams     keyfile.Params   // the cost of deriving the key from the passphrase
	Now           func() time.Time // nil: the system's clock
}

// Created is a new station as the post office enrols it.
type Created struct {
	Station     string `json:"station"`
	Name        string `json:"name"`
	Zone        string `json:"zone"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
	VerifierKey string `json:"verifier_key"`
}

// CreatedOf is what the post office enrols of the station in st.
func CreatedOf(st *Folder) (Created, error) {
	g := st.Ledger.Genesis()
	vkey, err := keyfile.VerifierKey(g.Terminal, g.PublicKey)
	if err != nil {
		return Created{}, err
	}
	return Created{Station: g.Terminal, Name: g.Name, Zone: g.Zone, PublicKey: base64.StdEncoding.EncodeToString(g.PublicKey),
		Fingerprint: keyfile.Fingerprint(g.PublicKey), VerifierKey: vkey}, nil
}

// CheckInit checks what a new station is given, before its passphrase is
// asked for: the post office key, the name and phone (trimmed), and a
// folder that holds no station and nothing else. Each refusal names the
// flag and the rule.
func CheckInit(o *InitOptions) error {
	if _, err := note.NewVerifier(o.PostOfficeKey); err != nil {
		return refuse(err, "邮政支局公钥（--postoffice-key）格式不对，请照支局给的那一行原样抄写。", "the post office key (--postoffice-key) is malformed; copy it exactly as the post office gave it.")
	}
	if o.ID == "" {
		return refuse(nil, "请用 --id 给出服务站编号，例如 T0001。", "give the station id with --id, e.g. T0001.")
	}
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" || utf8.RuneCountInString(o.Name) > 40 || strings.IndexFunc(o.Name, unicode.IsControl) >= 0 {
		return refuse(nil, "站名（--name）要写 1 到 40 个字，例如“山前村便民服务站”。", "the station name (--name) must be 1 to 40 characters.")
	}
	o.Phone = strings.TrimSpace(o.Phone)
	if len(o.Phone) > 20 || strings.Trim(o.Phone, "0123456789-+ ") != "" {
		return refuse(nil, "服务电话（--phone）只能写数字和“-”，最多 20 位，例如 0376-6201234。", "the service phone (--phone) is digits and '-', at most 20, e.g. 0376-6201234.")
	}
	for _, f := range []string{LedgerFile, KeyFile} {
		if _, err := os.Stat(filepath.Join(o.Dir, f)); err == nil {
			return refuse(nil, "%s 里已经开通过服务站了，不能再开通一次；什么都没有改动。要查看它，请用 station ledger show。",
				"a station already exists in %s; it cannot be created twice. Nothing was changed.", o.Dir)
		}
	}
	if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
		return refuse(nil, "文件夹 %s 里已经有别的文件。请换一个新的空文件夹。", "the folder %s already holds other files; use a new, empty folder.", o.Dir)
	}
	return nil
}

// Init creates a station in o.Dir: its key, sealed with the passphrase,
// and its ledger's genesis. A key made but no ledger is removed again.
func Init(ctx context.Context, o InitOptions) (Created, error) {
	if err := ctx.Err(); err != nil {
		return Created{}, err
	}
	if err := CheckInit(&o); err != nil {
		return Created{}, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return Created{}, refuse(err, "建不了文件夹 %s。", "cannot create the folder %s.", o.Dir)
	}
	kpath := filepath.Join(o.Dir, KeyFile)
	pub, err := keyfile.Create(kpath, o.Passphrase, o.ID, o.KeyParams, rand.Reader)
	if err != nil {
		return Created{}, err
	}
	priv, err := keyfile.Open(kpath, o.Passphrase, o.ID)
	if err == nil {
		var s *ledger.Store
		s, err = ledger.Create(filepath.Join(o.Dir, LedgerFile),
			ledger.Genesis{Terminal: o.ID, Name: o.Name, Zone: o.Zone, Cutoff: o.Cutoff, PostOfficeKey: o.PostOfficeKey, Phone: o.Phone}, "init", priv, &ledger.Options{Now: o.Now})
		if err == nil {
			err = s.Close()
		}
	}
	if err != nil {
		os.Remove(kpath)
		return Created{}, err
	}
	vkey, err := keyfile.VerifierKey(o.ID, pub)
	if err != nil {
		return Created{}, err
	}
	return Created{
		Station: o.ID, Name: o.Name, Zone: o.Zone,
		PublicKey:   base64.StdEncoding.EncodeToString(pub),
		Fingerprint: keyfile.Fingerprint(pub), VerifierKey: vkey,
	}, nil
}
