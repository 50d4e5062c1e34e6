package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shop"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// The demo station's secrets are printed on screen: it is for trying the
// program, never for real money.
const (
	demoName     = "演示服务站（示范村）"
	demoOwnerPIN = "135790"
	demoClerkPIN = "246802"
	demoFloat    = "2000.00"
	demoPhone    = "0376-6201234"
)

// runDemo creates a demo station on first use (key, ledger, an owner and a
// clerk, an opening cash float) and then shows its state. Every step is
// idempotent, so running it again, or after an interruption, is safe.
func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.flags("demo")
	dir := fs.String("dir", "demo-station", "the demo station's data folder")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.ensureDemo(ctx, *dir); err != nil {
		return err
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	g := st.Ledger.Genesis()
	m.printf("\n服务站 %s「%s」  印章编号 %s\n", "\nStation %s (%s)  seal %s\n", g.Terminal, g.Name, keyfile.Fingerprint(g.PublicKey))
	m.printf("当前营业日 %s，账本共 %d 笔。\n\n", "business day %s, %d ledger entries.\n\n", st.Ledger.CurrentDay(), st.Ledger.Last().Seq)
	st.Close()
	show := []func([]string) error{
		m.ledgerVerify,
		m.operatorList,
		func(args []string) error { return m.runBalance(ctx, args) },
	}
	for _, run := range show {
		if err := run([]string{"--dir", *dir}); err != nil {
			return err
		}
		m.printf("\n", "\n")
	}
	m.printf("这是演示站，口令和密码都是公开的：印章口令 %s，店主 OP1 密码 %s，店员 OP2 密码 %s。不要用它办理真实业务。\n",
		"This is a demo station and its secrets are public: passphrase %s, owner OP1 PIN %s, clerk OP2 PIN %s. Never use it for real money.\n",
		shop.DemoPassphrase, demoOwnerPIN, demoClerkPIN)
	m.printf("试一试（银行卡密码随便输 6 位数字，000000 会被银行拒绝）：\n", "Try (any 6-digit card PIN; the bank refuses 000000):\n")
	m.printf("  export STATION_PIN=%s    # 演示站不用输印章口令\n", "  export STATION_PIN=%s    # a demo station needs no passphrase\n", demoOwnerPIN)
	for _, ex := range []string{
		"withdraw --card 6228480402564890018 --amount 200",
		"pay-bill --biller state-grid --account 5100123456",
		"sell --item DAILY-SOAP:2",
	} {
		m.printf("  go run ./cmd/station %s --dir %s --operator OP1\n", "  go run ./cmd/station %s --dir %s --operator OP1\n", ex, *dir)
	}
	m.printf("  go run ./cmd/station ledger show --dir %s\n", "  go run ./cmd/station ledger show --dir %s\n", *dir)
	return nil
}

// ensureDemo creates the demo station in dir if it is not there yet, and
// gives it what a demo needs, each only once.
func (m *Main) ensureDemo(ctx context.Context, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, shop.LedgerFile)); err != nil {
		o := initOptions{dir: dir, id: shop.DemoID, name: demoName, zone: "Asia/Shanghai", cutoff: ledger.DefaultCutoff,
			postoffice: tariff.DemoPostOfficeVerifierKey, phone: demoPhone, pass: []byte(shop.DemoPassphrase)}
		if err := m.checkInit(&o); err != nil {
			return err
		}
		if _, err := m.initStation(ctx, o); err != nil {
			return err
		}
		m.printf("已在 %s 开通演示服务站。\n", "Created a demo station in %s.\n", dir)
	}
	return m.demoSetup(dir)
}

// demoSetup adds the demo operators and the opening float, each only once.
func (m *Main) demoSetup(dir string) error {
	st, err := m.openStation(dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	priv, err := keyfile.Open(st.Path(shop.KeyFile), []byte(shop.DemoPassphrase), st.Ledger.Genesis().Terminal)
	if err != nil {
		return refuse(err, "%s 不是演示站，打不开它的印章。", "%s is not a demo station; its key does not open with the demo passphrase.", dir)
	}
	if err := st.SetKey(priv); err != nil {
		return err
	}
	existing, err := st.Ops.List()
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, op := range existing {
		have[op.ID] = true
	}
	for _, op := range []struct{ id, role, pin, by string }{
		{"OP1", "owner", demoOwnerPIN, "init"},
		{"OP2", "clerk", demoClerkPIN, "OP1"},
	} {
		if have[op.id] {
			continue
		}
		if _, err := st.AddOperator(op.id, op.role, op.pin, op.by); err != nil {
			return err
		}
	}
	if err := demoTariff(st); err != nil {
		return err
	}
	float, err := money.ParseWire(demoFloat)
	if err != nil {
		return err
	}
	_, err = (&terminal.Drawer{Ledger: st.Ledger}).In(terminal.CashMove{
		Operator: "OP1", Amount: float, Reason: terminal.ReasonFloat, Note: "opening float", IdemKey: "demo:opening-float"})
	var conflict *ledger.ConflictError
	if err != nil && !errors.As(err, &conflict) { // a demo made by an earlier version has its float already
		return err
	}
	// Goods on the shelf, as the post office's first delivery.
	t, err := st.LoadedTariff()
	if err != nil {
		return err
	}
	g := &terminal.Goods{Ledger: st.Ledger, Tariff: t}
	for _, it := range t.Goods {
		if _, err := g.StockIn("OP1", it.SKU, 20, "demo delivery", "demo:stock:"+it.SKU); err != nil {
			return err
		}
	}
	return nil
}

// demoTariff signs the embedded demo tariff with the demo post office key
// and loads it, once.
func demoTariff(st *shop.Folder) error {
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		return err
	}
	file, err := tariff.Sign(tariff.DemoJSON, signer)
	if err != nil {
		return err
	}
	t, err := st.OpenTariff(file)
	if err != nil {
		return err
	}
	_, err = st.LoadTariff(file, t, "OP1")
	return err
}
