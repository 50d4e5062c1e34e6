package shopfront

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// EnsureDemo creates the demo station in dir if it is not there yet
// (created says it was made now), and gives it what a demo needs: an
// owner and a clerk with public PINs, the demo tariff, an opening float
// and goods on the shelf, each only once. now is the clock (nil: the
// system's), params the key's cost.
func EnsureDemo(ctx context.Context, dir string, now func() time.Time, params keyfile.Params) (created bool, err error) {
	if _, err := os.Stat(filepath.Join(dir, LedgerFile)); err != nil {
		o := InitOptions{Dir: dir, ID: DemoID, Name: DemoName, Zone: "Asia/Shanghai", Cutoff: ledger.DefaultCutoff,
			PostOfficeKey: tariff.DemoPostOfficeVerifierKey, Phone: DemoPhone, Passphrase: []byte(DemoPassphrase), KeyParams: params, Now: now}
		if _, err := Init(ctx, o); err != nil {
			return false, err
		}
		created = true
	}
	return created, demoSetup(dir, now)
}

// demoSetup adds the demo operators and the opening float, each only once.
func demoSetup(dir string, now func() time.Time) error {
	st, err := Open(dir, now, true)
	if err != nil {
		return err
	}
	defer st.Close()
	priv, err := keyfile.Open(st.Path(KeyFile), []byte(DemoPassphrase), st.Ledger.Genesis().Terminal)
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
		{"OP1", "owner", DemoOwnerPIN, "init"},
		{"OP2", "clerk", DemoClerkPIN, "OP1"},
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
	float, err := money.ParseWire(DemoFloat)
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
func demoTariff(st *Folder) error {
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
