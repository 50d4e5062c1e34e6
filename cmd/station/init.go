package main

import (
	"context"
	"path/filepath"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/shopfront"
)

func (m *Main) runInit(ctx context.Context, args []string) error {
	fs := m.flags("init")
	o := shopfront.InitOptions{KeyParams: m.KeyParams, Now: m.Now}
	var passFile string
	var asJSON bool
	fs.StringVar(&o.Dir, "dir", "", "the station's data folder (created)")
	fs.StringVar(&o.ID, "id", "", "station id, e.g. T0001")
	fs.StringVar(&o.Name, "name", "", "station name")
	fs.StringVar(&o.Zone, "zone", "Asia/Shanghai", "time zone")
	fs.StringVar(&o.Cutoff, "cutoff", ledger.DefaultCutoff, "business-day cut-off, HH:MM")
	fs.StringVar(&o.Phone, "phone", "", "the station's service phone, printed on receipts, e.g. 0376-6201234")
	fs.StringVar(&o.PostOfficeKey, "postoffice-key", "", "the post office's verifier key, as it gave it (tariffs are checked against it)")
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
	o.Passphrase = pass
	info, err := shopfront.Init(ctx, o)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(m.Stdout, info)
	}
	m.printf("服务站 %s「%s」已开通。\n", "Station %s (%s) is created.\n", info.Station, info.Name)
	m.printf("  数据文件夹：%s\n", "  data folder: %s\n", o.Dir)
	m.printf("  印章编号（指纹）：%s\n", "  seal number (fingerprint): %s\n", info.Fingerprint)
	m.printf("  印章公钥：%s\n", "  public key: %s\n", info.PublicKey)
	m.printf("  登记用公钥：%s\n", "  verifier key: %s\n", info.VerifierKey)
	m.printf("下一步：把印章编号和登记用公钥交给邮政支局登记；再用 station operator add 添加店主。请记牢口令，并把 %s 备份到U盘。\n",
		"Next: give the seal number and verifier key to the post office for enrolment, then add the owner with station operator add. Remember the passphrase and back up %s.\n",
		filepath.Join(o.Dir, shopfront.KeyFile))
	return nil
}

// checkInit refuses a command line without a folder, a post office key
// or an id, then what shopfront.CheckInit refuses: all before the passphrase
// is asked for.
func (m *Main) checkInit(o *shopfront.InitOptions) error {
	if err := m.needDir(o.Dir); err != nil {
		return err
	}
	if o.PostOfficeKey == "" {
		return m.missingFlag("postoffice-key", "请用 --postoffice-key 给出邮政支局的公钥（支局登记时给的那一行）。", "give the post office's verifier key with --postoffice-key.")
	}
	if o.ID == "" {
		return m.missingFlag("id", "请用 --id 给出服务站编号，例如 T0001。", "give the station id with --id, e.g. T0001.")
	}
	return shopfront.CheckInit(o)
}
