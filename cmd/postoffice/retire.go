package main

import (
	"context"
	"errors"
	"flag"
	"os"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
)

// runRetire settles a station for good and writes its signed close-out
// statement.
func (m *Main) runRetire(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("retire", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	station := fs.String("station", "", "the station that leaves, e.g. T0001")
	passFile := fs.String("passphrase-file", "", "file with the key passphrase (else POSTOFFICE_PASSPHRASE, else asked)")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if *station == "" {
		return missingFlag("station", "请用 --station 给出要退出的服务站。", "give the station with --station.")
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := r.Station(ctx, *station); err != nil {
		return m.registryErr(err)
	}
	signer, err := m.signer(*dir, *passFile)
	if err != nil {
		return err
	}
	o := &office.Office{Dir: *dir, Registry: r, Signer: signer}
	s, err := o.Retire(ctx, *station)
	var ce *office.CloseoutError
	if errors.As(err, &ce) {
		return fail(exitFailed, "服务站已退出，但写不了结清单 %s。", "the station is retired, but the close-out statement cannot be written to %s.", ce.Path)
	}
	if err != nil {
		return m.registryErr(err)
	}
	t := s.Retirement
	path := o.CloseoutPath(s.ID)
	if t.Last.Seq == 0 {
		m.printf("服务站 %s 已退出，今后不再接收它的文件。\n支局没有收到过它的日结文件，没有营业日可结算。押金 %s，", "Station %s is retired; no file from it is accepted any more.\nThe post office never accepted a day file from it: no business day to settle. Deposit %s, ",
			s.ID, money.FormatReceipt(t.Deposit))
	} else {
		m.printf("服务站 %s 已退出，今后不再接收它的文件。\n结算到营业日 %s（第 %d 笔）。押金 %s，", "Station %s is retired; no file from it is accepted any more.\nSettled through business day %s (entry %d). Deposit %s, ",
			s.ID, orDash(t.LastDay), t.Last.Seq, money.FormatReceipt(t.Deposit))
	}
	switch {
	case t.Owed.IsPositive():
		m.printf("支局还应付给服务站 %s，", "the post office still owes the shop %s, ", money.FormatReceipt(t.Owed))
	case t.Owed.IsNegative():
		m.printf("服务站还欠支局 %s，", "the shop still owes the post office %s, ", money.FormatReceipt(t.Owed.Neg()))
	}
	if t.Carried.IsPositive() {
		m.printf("扣下还欠村民的 %s，", "less %s still owed to villagers, ", money.FormatReceipt(t.Carried))
	}
	if t.Return.IsNegative() {
		m.printf("押金不够抵：加盟人还须交回 %s。\n", "the deposit does not cover it: the franchisee must still pay %s.\n", money.FormatReceipt(t.Return.Neg()))
	} else {
		m.printf("应退还加盟人 %s。\n", "to return to the franchisee: %s.\n", money.FormatReceipt(t.Return))
	}
	if items, err := office.Items(t); err == nil && len(items) > 0 {
		m.printf("还欠村民 %d 项，共 %s，从结清款里扣下，转给接手的服务站（postoffice enrol --succeeds %s）：\n", "%d item(s) still owed to villagers, %s in all, kept back and carried to the successor (postoffice enrol --succeeds %s):\n",
			len(items), money.FormatReceipt(t.Carried), s.ID)
		m.printItems(items)
	}
	if t.Forks > 0 {
		m.printf("注意：该站有 %d 个分叉文件留证，未了结。\n", "Note: %d forked file(s) are kept as evidence and not resolved.\n", t.Forks)
	}
	m.printf("支局签章的结清单：%s\n", "Close-out statement signed by the post office: %s\n", path)
	return nil
}

// runRotateKey records a station's new key, vouched for by its old one.
func (m *Main) runRotateKey(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rotate-key", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	station := fs.String("station", "", "the station, e.g. T0001")
	vouchFile := fs.String("vouch", "", "the rotation note the station signed with its old key")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if *station == "" {
		return missingFlag("station", "请用 --station 给出要换钥的服务站。", "give the station with --station.")
	}
	if *vouchFile == "" {
		return missingFlag("vouch", "请用 --vouch 给出服务站用旧密钥签的换钥声明。", "give the rotation note, signed with the old key, with --vouch.")
	}
	vouch, err := os.ReadFile(*vouchFile)
	if err != nil {
		return fail(exitFailed, "读不了换钥声明 %s。", "cannot read the rotation note %s.", *vouchFile)
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	s, err := (&office.Office{Dir: *dir, Registry: r}).RotateKey(ctx, *station, vouch)
	if err != nil {
		return m.registryErr(err)
	}
	k := s.Keys[len(s.Keys)-1]
	pub, _ := registry.PublicKey(k.Key)
	m.printf("服务站 %s 从第 %d 笔起改用新密钥，印章编号 %s；此后用旧密钥签的文件一律拒收。\n",
		"Station %s signs with its new key from entry %d on, seal number %s; files signed with the old key for those entries are refused.\n",
		s.ID, k.From, keyfile.Fingerprint(pub))
	return nil
}
