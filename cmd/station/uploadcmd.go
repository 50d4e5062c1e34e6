package main

import (
	"context"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
)

// runUpload sends the closed days to the post office over the network and
// keeps its acknowledgements.
func (m *Main) runUpload(ctx context.Context, args []string) error {
	fs := m.flags("upload")
	dir := fs.String("dir", "", "the station's data folder")
	addr := fs.String("postoffice", "", "the post office's address, e.g. https://postoffice.example:8443 (remembered for next time)")
	passFile := fs.String("passphrase-file", "", "file with the station key's passphrase (else STATION_PASSPHRASE, else asked)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.PostofficeURL(*addr)
	if err != nil {
		return err
	}
	if u == "" {
		return m.usageErr("请用 --postoffice 给出邮政支局的网址（记下后下次不用再给）。", "give the post office's address with --postoffice (it is remembered for next time).")
	}
	if err := m.unlockOnly(st, *passFile); err != nil {
		return err
	}
	c, err := st.PostClient(u)
	if err != nil {
		return err
	}
	rep, err := st.Exchange(ctx, c)
	for _, o := range rep.Sent {
		m.printf("  营业日 %s：%s\n", "  business day %s: %s\n", o.Day, m.say(o.ZH, o.EN))
		for _, also := range o.Also {
			m.printf("  营业日 %s：%s\n", "  business day %s: %s\n", also.Day, m.say(also.ZH, also.EN))
		}
	}
	for _, day := range rep.AcksKept {
		m.printf("  收下回执：营业日 %s 已对账确认。\n", "  kept the acknowledgement: business day %s is settled.\n", day)
	}
	if rep.Tariff != "" {
		m.printf("  载入了邮政支局发来的新价目表 %s。\n", "  loaded the post office's new tariff %s.\n", rep.Tariff)
	}
	for _, dp := range rep.Decisions {
		m.printf("  邮政支局答复了第 %d 笔纠纷：%s\n", "  the post office decided dispute %d: %s\n", dp.Seq, m.disputeNext(dp))
	}
	for _, h := range rep.Handovers {
		if len(h.Doc.Items) == 0 {
			m.printf("  收下了邮政支局的交接单：服务站 %s 没有留下要接手的事项（记在账本第 %d 笔）。\n", "  loaded the post office's hand-over document: station %s left nothing to take over (ledger entry %d).\n", h.Doc.From, h.Entry)
			continue
		}
		m.printf("  收下了邮政支局的交接单：接手服务站 %s 没办完的 %d 项，随单转来 %s，记在账本第 %d 笔。请用 station handover list 查看每一项要做什么。\n",
			"  loaded the post office's hand-over document: %[2]d item(s) station %[1]s left unfinished, %[3]s carried, ledger entry %[4]d. See what to do for each with station handover list.\n",
			h.Doc.From, len(h.Doc.Items), money.FormatReceipt(h.Doc.Carried), h.Entry)
	}
	if rep.BadHandovers > 0 {
		m.printf("  有 %d 份交接单对不上本站（不是给本站的，或不是本站所属邮政支局签发的），没有收下；请联系邮政支局。\n",
			"  %d hand-over document(s) did not check (not for this station, or not signed by its post office) and were not loaded; call the post office.\n", rep.BadHandovers)
	}
	if rep.BadDecisions > 0 {
		m.printf("  有 %d 份纠纷答复对不上本站的账，没有收下；请联系邮政支局。\n", "  %d dispute decision(s) did not match this station's books and were not kept; call the post office.\n", rep.BadDecisions)
	}
	if err != nil {
		return shopfront.PostofficeErr(err, len(rep.Sent))
	}
	if len(rep.Sent) == 0 && len(rep.AcksKept) == 0 && rep.Tariff == "" && len(rep.Decisions) == 0 && len(rep.Handovers) == 0 {
		m.printf("没有要交的日结文件，邮政那边也没有新的回执。\n", "nothing to send, and no new acknowledgement from the post office.\n")
		return nil
	}
	if rep.Problems > 0 {
		return refuse(nil, "有一天的账邮政没有接收，见上面；请联系邮政支局。", "the post office did not accept a day (above); call the post office.")
	}
	m.printf("已交给邮政支局：%d 天；收下回执：%d 份。\n", "sent to the post office: %d day(s); acknowledgements kept: %d.\n", len(rep.Sent), len(rep.AcksKept))
	return nil
}
