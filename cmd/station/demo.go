package main

import (
	"context"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/shopfront"
)

// The demo station's PINs, as the command line and its tests name them.
const (
	demoOwnerPIN = shopfront.DemoOwnerPIN
	demoClerkPIN = shopfront.DemoClerkPIN
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
		shopfront.DemoPassphrase, demoOwnerPIN, demoClerkPIN)
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

// ensureDemo creates the demo station in dir if it is not there yet (and
// says so), and gives it what a demo needs, each only once.
func (m *Main) ensureDemo(ctx context.Context, dir string) error {
	created, err := shopfront.EnsureDemo(ctx, dir, m.Now, m.KeyParams)
	if created {
		m.printf("已在 %s 开通演示服务站。\n", "Created a demo station in %s.\n", dir)
	}
	return err
}
