package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// registryFile is the post office's registry in its --dir.
const registryFile = "registry.db"

// verifier returns the post office's own verifier (its public key).
func (m *Main) verifier(dir string) (note.Verifier, error) {
	if err := needDir(dir); err != nil {
		return nil, err
	}
	pub, name, err := keyfile.PublicKey(filepath.Join(dir, keyFile))
	if err != nil {
		return nil, fail(exitFailed, "%s 里没有支局密钥；请先运行 postoffice init。", "%s holds no post office key; run postoffice init first.", dir)
	}
	vkey, err := keyfile.VerifierKey(name, pub)
	if err != nil {
		return nil, err
	}
	return note.NewVerifier(vkey)
}

// registryErr turns a registry refusal into words for the clerk.
func (m *Main) registryErr(err error) error {
	var mf *office.MissingFileError
	if errors.As(err, &mf) && mf.Differs {
		return fail(exitFailed, "服务站 %s 营业日 %s 的日结文件不在登记簿里，而 %s 不是当初接收的那个文件（SHA-256 对不上）：请把接收的那个文件放到那里，或在接收这一天的那台服务器上运行这个命令。这次什么都没有做。",
			"the day file of station %s day %s is not in the registry, and %s is not the file accepted (its SHA-256 differs): put the file accepted there, or run this command on the server that accepted the day. Nothing was done.",
			mf.Station, mf.Day, mf.Path)
	}
	if errors.As(err, &mf) {
		return fail(exitFailed, "服务站 %s 营业日 %s 的日结文件不在登记簿里，也不在 %s：这一天是在登记簿开始保存日结文件以前、由另一台邮政服务器接收的。请在那台服务器上把这个命令运行一次（它会把文件存进登记簿），或把文件拷到 %s。这次什么都没有做。",
			"the day file of station %s day %s is neither in the registry nor at %s: the day was accepted before the registry kept day files, by another post office server. Run this command once on that server (it puts the file into the registry), or copy the file to %s. Nothing was done.",
			mf.Station, mf.Day, mf.Path, mf.Path)
	}
	var re *registry.Error
	if !errors.As(err, &re) {
		return err
	}
	what := map[string][2]string{
		registry.ErrUnknownStation: {"没有登记这个服务站。先用 postoffice enrol 登记它", "no such station is enrolled. Enrol it first with postoffice enrol"},
		registry.ErrRetired:        {"这个服务站已经退出，不再接收它的文件", "the station has retired; its files are no longer accepted"},
		registry.ErrExists:         {"这个服务站已经登记过了，用 postoffice stations 查看", "the station is enrolled already; see postoffice stations"},
		registry.ErrInput:          {"填写有误，请按下面说的那一项改正后重试", "a field is wrong; correct the one named below and try again"},
		registry.ErrWrongKey:       {"签名密钥不是登记的那一把。请与服务站核对印章编号；换过密钥要先用 postoffice rotate-key 登记", "not signed with the enrolled key. Check the seal number with the station; a new key must first be recorded with postoffice rotate-key"},
		registry.ErrBadFile:        {"文件核验不通过（可能被改过或没拷全）。请服务站用 station export 重新导出后再交", "the file does not verify (changed or copied incompletely). Ask the station to export it again with station export"},
		registry.ErrFuture:         {"文件的营业日还没到。请核对本机和服务站的日期", "the file's business day has not come yet. Check this machine's and the station's dates"},
		registry.ErrChain:          {"文件接不上已回执的账。请联系服务站核查，不要付款", "the file does not follow what was acknowledged. Contact the station; pay nothing on it"},
		registry.ErrOpen:           {"还有文件在等缺的营业日。先导入缺的那一天", "files wait for a missing day. Import that day first"},
		registry.ErrCharges:        {"文件里的手续费、佣金或商品价格不是本支局签发的价目表上的。请联系服务站核查，这一天的佣金先不要付", "a fee, commission or goods price in the file is not the one on the tariff this post office issued. Contact the station; pay no commission on this day until it is cleared"},
		registry.ErrDecision:       {"文件里记的纠纷答复或退款不是本支局签发的答复（伪造、改过，或是别的服务站、别的纠纷的，或同一笔退款付了两次）。请联系服务站核查，不要付款", "a dispute decision or refund in the file is not one this post office issued (forged, altered, another station's or another dispute's, or one refund paid twice). Contact the station; pay nothing on it"},
	}[re.Kind]
	return &failure{code: exitFailed,
		// The registry's own words (English, with internal names) are for
		// the English screen and the technician, not the Chinese one.
		zh: fmt.Sprintf("%s%s。什么都没有改动。", what[0], whereZh(re)),
		en: fmt.Sprintf("%s. Nothing was changed. (%s)", what[1], re.Error())}
}

// runEnrol records a new station.
func (m *Main) runEnrol(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("enrol", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	station := fs.String("station", "", "the station id, e.g. T0001")
	pubkey := fs.String("pubkey", "", "the station's key as station init printed it (T0001+…+…)")
	franchisee := fs.String("franchisee", "", "who runs the shop")
	deposit := fs.String("deposit", "", "the security deposit held, in yuan, e.g. 20000.00")
	tariffFile := fs.String("tariff", "", "the signed tariff issued to the station")
	succeeds := fs.String("succeeds", "", "the retired station of the same village this one takes over from (承接), e.g. T0001")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	for _, f := range []struct{ name, v, zh, en string }{
		{"station", *station, "服务站编号，例如 --station T0001", "the station id, e.g. --station T0001"},
		{"pubkey", *pubkey, "服务站开通时显示的登记用公钥（T0001+…）", "the verifier key station init printed (T0001+…)"},
		{"franchisee", *franchisee, "加盟店主的姓名", "who runs the shop"},
		{"deposit", *deposit, "押金，例如 --deposit 20000.00", "the deposit held, e.g. --deposit 20000.00"},
		{"tariff", *tariffFile, "发给这个服务站的已签价目表文件", "the signed tariff file issued to the station"},
	} {
		if strings.TrimSpace(f.v) == "" {
			return missingFlag(f.name, "请给出"+f.zh+"。", "give "+f.en+".")
		}
	}
	amount, err := money.Parse("deposit", *deposit, money.Limits{Max: registry.MaxDeposit, AllowZero: true})
	if err != nil {
		return fail(exitFailed, "押金（--deposit）%q 不对：%v。请写成 20000.00 这样的金额。", "the deposit (--deposit) %q is wrong: %v. Write it like 20000.00.", *deposit, err)
	}
	v, err := m.verifier(*dir)
	if err != nil {
		return err
	}
	signed, err := os.ReadFile(*tariffFile)
	if err != nil {
		return fail(exitFailed, "读不了价目表文件 %s。", "cannot read the tariff file %s.", *tariffFile)
	}
	t, err := tariff.Open(signed, v)
	if err != nil {
		return fail(exitFailed, "价目表（--tariff）%s 不是本支局签发的，或签发后被改过：%v", "the tariff (--tariff) %s is not signed by this post office, or was changed after signing: %v", *tariffFile, err)
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	o := &office.Office{Dir: *dir, Registry: r}
	if *succeeds != "" {
		return m.enrolSuccessor(ctx, o, registry.Enrolment{Station: *station, Key: *pubkey, Franchisee: *franchisee, Deposit: amount}, t, *succeeds)
	}
	s, err := o.Enrol(ctx, registry.Enrolment{Station: *station, Key: *pubkey, Franchisee: *franchisee, Deposit: amount}, t)
	if err != nil {
		return m.registryErr(err)
	}
	pub, _ := registry.PublicKey(s.Key)
	m.printf("已登记服务站 %s（加盟人 %s，押金 %s，价目表 %s）。\n印章编号 %s：请与服务站开通时打印的编号核对一致。\n",
		"Enrolled station %s (franchisee %s, deposit %s, tariff %s).\nSeal number %s: check it matches the one station init printed.\n",
		s.ID, s.Franchisee, money.FormatReceipt(s.Deposit), s.Tariff, keyfile.Fingerprint(pub))
	return nil
}

// runStations lists the enrolled stations.
func (m *Main) runStations(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stations", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	list, err := r.Stations(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		m.printf("还没有登记任何服务站。用 postoffice enrol 登记。\n", "No station is enrolled yet. Enrol one with postoffice enrol.\n")
		return nil
	}
	t := textwidth.Table{Right: map[int]bool{2: true, 5: true}}
	t.Add(m.say("站号", "station"), m.say("加盟人", "franchisee"), m.say("押金", "deposit"), m.say("状态", "status"),
		m.say("已结到", "settled to"), m.say("序号", "entry"), m.say("要处理的", "needs attention"))
	for _, s := range list {
		status := m.say("在营", "active")
		if s.Status == registry.Retired {
			status = m.say("已退出 ", "retired ") + s.Retirement.Day
		}
		var notes []string
		if s.Held > 0 {
			notes = append(notes, fmt.Sprintf(m.say("缺日，%d 个文件暂存", "a day missing, %d file(s) held"), s.Held))
		}
		if s.Forks > 0 {
			notes = append(notes, fmt.Sprintf(m.say("⚠ 分叉 %d 个（已留证）", "⚠ %d fork(s) kept as evidence"), s.Forks))
		}
		if len(notes) == 0 {
			notes = []string{"-"}
		}
		t.Add(s.ID, s.Franchisee, money.FormatReceipt(s.Deposit), status, orDash(s.LastDay), itoa(s.Last.Seq), strings.Join(notes, "; "))
	}
	return t.Write(m.Stdout)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// whereZh names, in Chinese, what a refusal is about: the field of a
// wrong input (its flag's name), or the entry a day file fails at.
func whereZh(re *registry.Error) string {
	if re.Kind == registry.ErrInput {
		if field, _, ok := strings.Cut(re.Detail, ":"); ok && !strings.Contains(field, " ") {
			return "：--" + field
		}
	}
	var ve *settlement.VerifyError
	if errors.As(re.Err, &ve) && ve.Seq != 0 {
		return fmt.Sprintf("（第 %d 笔）", ve.Seq)
	}
	return ""
}
