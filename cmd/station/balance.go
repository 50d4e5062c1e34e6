package main

import (
	"context"

	"github.com/villagepost/bianmin/internal/textwidth"

	"github.com/villagepost/bianmin/ledger"
)

func (m *Main) runBalance(ctx context.Context, args []string) error {
	fs := m.flags("balance")
	dir := fs.String("dir", "", "the station's data folder")
	at := fs.Uint64("at", 0, "balances just after this entry (0: now)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, err := m.openForView(ctx, *dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	seq := *at
	if seq == 0 {
		seq = st.Ledger.Last().Seq
	}
	if seq > st.Ledger.Last().Seq {
		return refuse(nil, "账本只有 %d 笔，没有第 %d 笔。", "the ledger has %d entries, not %d.", st.Ledger.Last().Seq, seq)
	}
	b, err := st.Ledger.BalancesAt(seq)
	if err != nil {
		return err
	}
	list := b.Sorted()
	if *asJSON {
		type row struct {
			Account   string `json:"account"`
			Commodity string `json:"commodity"`
			Amount    string `json:"amount"`
		}
		rows := []row{}
		for _, x := range list {
			rows = append(rows, row{x.Name, x.Commodity, ledger.AmountText(x.Commodity, x.Amount)})
		}
		return writeJSON(m.Stdout, map[string]any{"station": st.Ledger.Genesis().Terminal, "seq": seq, "balances": rows})
	}
	m.printf("服务站 %s 第 %d 笔之后的余额：\n", "balances of station %s after entry %d:\n", st.Ledger.Genesis().Terminal, seq)
	if len(list) == 0 {
		m.printf("  （还没有任何资金往来）\n", "  (no money has moved yet)\n")
		return nil
	}
	t := textwidth.Table{Right: map[int]bool{2: true}}
	for _, x := range list {
		note := ""
		if m.lang != "en" {
			note = accountZh(x.Name)
		}
		t.Add("", x.Name, amountText(x.Commodity, x.Amount), note)
	}
	return t.Write(m.Stdout)
}
