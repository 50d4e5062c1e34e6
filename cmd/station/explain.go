package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/pin"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/terminal"
	"github.com/villagepost/bianmin/web"
)

// explain turns an error into one line for the shopkeeper, in plain words
// with what to do next, and the exit status.
func (m *Main) explain(err error) (string, int) {
	var (
		me  *money.Error
		pe  *pin.RuleError
		ie  *terminal.InputError
		le  *terminal.LockedError
		sc  *terminal.ShortCashError
		se  *terminal.StockError
		ve  *ledger.VerifyError
		ce  *ledger.CorruptError
		fe  *ledger.FieldError
		ue  *ledger.UnbalancedError
		cf  *ledger.ConflictError
		kf  *keyfile.FormatError
		km  *keyfile.ModeError
		ic  *idcheck.InputError
		sc2 *simcard.Error
		li  *terminal.LimitError
		vo  *terminal.VoidError
		vd  *terminal.VoidedError
		pd  *terminal.PendingError
		sr  *shopfront.Refusal
		al  *web.AddrLockedError
		dp  *terminal.DamagedPendingError
		te  *terminal.TariffExpiredError
		de  *terminal.DisputeError
	)
	if msg, ok := m.explainContribution(err); ok {
		return msg, exitFailed
	}
	if msg, ok := m.explainHost(err); ok {
		return msg, exitFailed
	}
	switch {
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG):
		// A write failed for want of space: whatever it was, it did not
		// happen, and a request a host may have approved is reversed.
		where := m.logDamage("disk full", err, "")
		return m.say("存储空间满了，这笔业务没有办成，账本里没有记上：不要付现金，也不要收钱。请先清理存储空间（或请邮政支局帮忙），再重新办理；已经问过银行或缴费单位的，本机下次启动时会自动冲正。"+where,
			"the disk is full: this was not done and not recorded; do not pay out or take cash. Free some space (or ask the post office), then try again; a request a host may have approved is reversed at the next start."+m.detailEn(err)), exitFailed
	case errors.As(err, &me):
		return m.say(me.Zh(), me.Error()), exitFailed
	case errors.As(err, &pe):
		return m.say(pe.Zh(), pe.Error()), exitFailed
	case errors.As(err, &ic):
		return m.say(ic.Zh()+"。什么都没有记。", ic.Error()+"; nothing was recorded."), exitFailed
	case errors.As(err, &sc2):
		return m.say(sc2.Zh()+"。什么都没有记。", sc2.Error()+"; nothing was recorded."), exitFailed
	case errors.Is(err, terminal.ErrNoSIMCards):
		return m.say("本站的价目表没有号卡套餐，不能卖号卡。请向邮政支局要新的价目表。", "the station's tariff lists no phone-number card plans; ask the post office for a new tariff."), exitFailed
	case errors.As(err, &li):
		return m.say(li.Zh(), strings.TrimPrefix(li.Error(), "terminal: ")), exitFailed
	case errors.As(err, &vo):
		return m.say(fmt.Sprintf("第 %d 笔不能撤销：%s。没有记账。", vo.Seq, vo.RuleZh), strings.TrimPrefix(vo.Error(), "terminal: ")+"; nothing was recorded."), exitFailed
	case errors.As(err, &pd):
		return m.say(fmt.Sprintf("还有 %d 笔业务在等银行或缴费单位，没有日结。请等网络恢复后处理完（station queue --operator 可发送），或由店主确认结转到下一营业日：加 --carry。", len(pd.Items)),
			fmt.Sprintf("%d item(s) still wait for a host; the day was not closed. Settle them when the network is back (station queue --operator), or have the owner carry them over with --carry.", len(pd.Items))), exitFailed
	case errors.Is(err, terminal.ErrCloseRunning):
		return m.say("正在日结，请等它做完。", "the day is being closed already; wait for it to finish."), exitFailed
	case errors.Is(err, terminal.ErrNoRefundDue):
		return m.say("这个账本序号不是欠顾客的退款，请用 station queue 查看要退的钱。", "that entry is not a refund owed; see station queue."), exitFailed
	case errors.Is(err, terminal.ErrNotOpenTicket):
		return m.say("这个订单号不是未出行的车票或候补订单，请用 station ticket list 查看。", "that is not an open ticket order; see station ticket list."), exitFailed
	case errors.Is(err, terminal.ErrNotOpenPolicy):
		return m.say("这个账本序号不是还在犹豫期内的保单，不能在本店退保；请用 station insure list 查看。过了犹豫期的，请顾客联系保险公司。", "that entry is not a policy in its cooling-off period and cannot be cancelled here; see station insure list. After the cooling-off period the customer goes to the insurer."), exitFailed
	case errors.Is(err, terminal.ErrNoInsurance):
		return m.say("本站的价目表没有保险险种，不能卖保险。请向邮政支局要新的价目表。", "the station's tariff lists no insurance products; ask the post office for a new tariff."), exitFailed
	case errors.Is(err, ledger.ErrNotFound):
		return m.say("账本里没有这一笔，请核对序号（station ledger show 可查看）。", "no such entry; check the number (see station ledger show)."), exitFailed
	case errors.As(err, &ie):
		rule := ie.RuleZh
		if rule == "" {
			rule = ie.Rule
		}
		return m.say(fmt.Sprintf("“%s”填得不对：%s。请改正后再试。", fieldZh(ie.Field), rule),
			fmt.Sprintf("%s is wrong: %s. Correct it and try again.", ie.Field, ie.Rule)), exitFailed
	case errors.As(err, &al):
		return m.say(fmt.Sprintf("从这台设备输错密码的次数太多，到 %s 之前这台设备不能再输密码。请到时再试，或到店里的电脑上登录。", al.Until.Format("15:04")),
			fmt.Sprintf("too many wrong PINs from this device: it may not try PINs again until %s. Try again then, or sign in at the shop's computer.", al.Until.Format("15:04"))), exitFailed
	case errors.As(err, &le) && le.Barred:
		return m.say(fmt.Sprintf("操作员 %s 今天已输错密码 %d 次，已锁定，要店主用印章口令解锁：在登录页点“店主解锁”，或运行 station operator unlock --id %s。", le.ID, terminal.MaxPINFailuresPerDay, le.ID),
			fmt.Sprintf("operator %s is locked after %d wrong PINs today until the owner unlocks them with the station passphrase: \"Owner unlock\" on the sign-in page, or station operator unlock --id %s.", le.ID, terminal.MaxPINFailuresPerDay, le.ID)), exitFailed
	case errors.As(err, &le):
		return m.say(fmt.Sprintf("操作员 %s 连续输错密码 %d 次，已锁定到 %s。请到时再试，或请店主处理：店主可以用印章口令马上解锁（登录页“店主解锁”，或 station operator unlock）。", le.ID, terminal.MaxPINFailures, le.Until.Format("15:04")),
			fmt.Sprintf("operator %s is locked after %d wrong PINs until %s. Try again then, or ask the owner: the owner can unlock at once with the station passphrase (\"Owner unlock\" on the sign-in page, or station operator unlock).", le.ID, terminal.MaxPINFailures, le.Until.Format("15:04"))), exitFailed
	case errors.As(err, &sc):
		return m.say(fmt.Sprintf("钱箱里只有 %s，不够 %s；没有记账。请先补充现金。", money.FormatReceipt(sc.Have), money.FormatReceipt(sc.Need)),
			fmt.Sprintf("the drawer holds only %s, not the %s needed; nothing was recorded. Top up the cash first.", money.FormatReceipt(sc.Have), money.FormatReceipt(sc.Need))), exitFailed
	case errors.As(err, &se):
		return m.say(fmt.Sprintf("%s 只剩 %d，不够 %d；没有记账。", se.SKU, se.Have, se.Get),
			fmt.Sprintf("only %d of %s in stock, not %d; nothing was recorded.", se.Have, se.SKU, se.Get)), exitFailed
	case errors.Is(err, terminal.ErrOwnerMustApprove):
		return m.say("店主取回现金要店主批准：请店主输入密码（命令行用 --by 店主编号）。没有记账。", "the owner taking cash back needs the owner's approval: have the owner type their PIN (--by OWNER-ID on the command line). Nothing was recorded."), exitFailed
	case errors.As(err, &vd) && vd.Step == terminal.StepReprint:
		return m.say(fmt.Sprintf("第 %d 笔已经撤销了（撤销记在第 %d 笔），钱已退给顾客，它的收据不再有效，不能重打。需要的话，请打印撤销那一笔（第 %d 笔）的收据。", vd.Seq, vd.Void, vd.Void),
			fmt.Sprintf("entry %d was voided (entry %d) and the money given back; its receipt is no longer valid and is not reprinted. Print the receipt of the void (entry %d) if needed.", vd.Seq, vd.Void, vd.Void)), exitFailed
	case errors.As(err, &vd):
		return m.say(fmt.Sprintf("第 %d 笔销售已经撤销了（撤销记在第 %d 笔）：钱已退给顾客，货已回到库存。这笔不能再送货，请不要把货送出去。", vd.Seq, vd.Void),
			fmt.Sprintf("sale %d was voided (entry %d): the money went back to the customer and the goods back into stock. It cannot be delivered; do not send the goods out.", vd.Seq, vd.Void)), exitFailed
	case errors.Is(err, terminal.ErrNotForDelivery):
		return m.say("这个账本序号不是要送货的销售记录，请核对序号。", "that entry is not a sale to be delivered; check the number."), exitFailed
	case errors.Is(err, terminal.ErrWrongPIN):
		return m.say("密码不对。请重新输入；连续输错 5 次会锁定 15 分钟。", "wrong PIN. Try again; 5 wrong PINs in a row lock the operator for 15 minutes."), exitFailed
	case errors.Is(err, terminal.ErrUnknownOperator):
		return m.say("没有这个操作员。请用 station operator list 查看操作员编号。", "no such operator. See station operator list."), exitFailed
	case errors.Is(err, terminal.ErrOperatorExists):
		return m.say("这个操作员编号已经有了，请换一个编号。", "that operator id already exists; choose another."), exitFailed
	case errors.As(err, &ve):
		where := m.logDamage("ledger verify", err, "")
		what := fmt.Sprintf("第 %d 笔%s", ve.Seq, verifyKindZh(ve.Kind))
		whatEn := fmt.Sprintf("entry %d: %s", ve.Seq, ve.Kind)
		if ve.Seq == 0 {
			what, whatEn = verifyKindZh(ve.Kind), ve.Kind
		}
		return m.say(fmt.Sprintf("账本核验没有通过：%s。账本可能被改动过或已损坏：请停止办理业务，联系邮政支局，用最近的备份恢复。%s", what, where),
			fmt.Sprintf("the ledger does not verify: %s. It may have been altered or damaged: stop serving customers, call the post office and restore the last backup. %s", whatEn, where)), exitTampered
	case errors.As(err, &ce):
		where := m.logDamage("open ledger", err, filepath.Dir(ce.Path))
		return m.say(fmt.Sprintf("账本文件 %s 已损坏，读不出来。请停止办理业务，用最近的备份恢复，或联系邮政支局。%s", ce.Path, where),
			fmt.Sprintf("the ledger file %s is damaged and cannot be read. Stop serving customers, restore the last backup or call the post office. %s", ce.Path, where)), exitTampered
	case errors.As(err, &te):
		return m.say(fmt.Sprintf("价目表 %s 的有效期是 %s 至 %s，今天（%s）不能用，什么都没有办理。请向邮政支局要新的价目表：联网的服务站会自己载入，不联网的由店主用 station tariff load 载入。", te.Version, te.ValidFrom, te.ValidUntil, te.Day),
			fmt.Sprintf("tariff %s is valid from %s to %s, not today (%s); nothing was done. Ask the post office for a current one: a station online loads it by itself, otherwise the owner loads it with station tariff load.", te.Version, te.ValidFrom, te.ValidUntil, te.Day)), exitFailed
	case errors.As(err, &dp):
		where := m.logDamage("pending store", err, filepath.Dir(dp.Path))
		return m.say("本站记着“还没有结果的业务”的文件（pending.db）已损坏，这次什么都没有改动，钱也没有动。请停止办理业务并联系技术支持：技术人员把这个文件移走后重新启动，程序会按账本重新找出这些业务。"+where,
			"the station's file of requests still waiting for an answer (pending.db) is damaged; nothing was changed and no money moved. Stop serving customers and call support: the technician moves the file aside and starts again, and the program finds those requests again from the ledger. "+where), exitTampered
	case errors.Is(err, ledger.ErrInUse):
		return m.say("本站的 station 程序已经在运行：账本正被另一个 station 程序使用（另一个窗口，或网页 station serve）；这次什么都没有改动。请在那里办理，或先关掉它再试。",
			"the station program is already running (another window, or station serve) and has the ledger open; nothing was changed. Use that one, or close it and try again."), exitFailed
	case errors.As(err, &cf):
		return m.say(fmt.Sprintf("这笔业务的编号已经用在第 %d 笔另一笔业务上，没有记账。请重新开始这笔业务。", cf.Seq),
			fmt.Sprintf("this request's key was already used by entry %d for something else; nothing was recorded. Start the request again.", cf.Seq)), exitFailed
	case errors.As(err, &ue):
		return m.say("借贷不平，没有记账。"+m.detailZh(ue), "debits and credits differ; nothing was recorded."+m.detailEn(ue)), exitFailed
	case errors.As(err, &fe):
		return m.say(fmt.Sprintf("账目“%s”不符合规则：%s。没有记账。", fe.Field, fe.Rule), fmt.Sprintf("entry field %s: %s; nothing was recorded.", fe.Field, fe.Rule)), exitFailed
	case errors.Is(err, keyfile.ErrWrongPassphrase):
		return m.say("口令不对，印章密钥没有解开。请检查口令后再试；账本没有任何改动。",
			"wrong passphrase: the station key was not unlocked. Check it and try again; the ledger is unchanged."), exitFailed
	case errors.Is(err, keyfile.ErrShortPassphrase):
		return m.say(fmt.Sprintf("口令太短：至少要 %d 个字符。请换一个更长的口令。", keyfile.MinPassphraseLen),
			fmt.Sprintf("the passphrase is too short: at least %d characters.", keyfile.MinPassphraseLen)), exitFailed
	case errors.As(err, &km):
		return m.say(fmt.Sprintf("印章密钥文件 %[1]s 的权限是 %04[2]o，别的用户也能读到它，所以没有使用它，什么都没有改动。请运行 chmod 600 %[1]s 后再试；若不知道是谁改的，请联系邮政支局换新印章。", km.Path, uint32(km.Perm)),
			fmt.Sprintf("the key file %[1]s has permissions %04[2]o: other users can read it, so it was not used and nothing was changed. Run chmod 600 %[1]s and try again; if you do not know who changed it, ask the post office for a new key.", km.Path, uint32(km.Perm))), exitFailed
	case errors.As(err, &kf):
		return m.say(fmt.Sprintf("印章密钥文件 %s 损坏或不属于本站（%s）。请用备份的密钥文件替换它，或联系邮政支局。", kf.Path, kf.Reason),
			fmt.Sprintf("the key file %s is damaged or not this station's (%s). Restore it from the backup or call the post office.", kf.Path, kf.Reason)), exitFailed
	case errors.Is(err, context.Canceled):
		return m.say("已取消，什么都没有改动。", "cancelled; nothing was changed."), exitFailed
	case errors.As(err, &de):
		return m.say(de.RuleZh+"。什么都没有记。", de.Field+": "+de.Rule+"; nothing was recorded."), exitFailed
	case errors.As(err, &sr):
		if sr.Err != nil {
			return m.say(sr.Zh+m.logDamage("refused", sr.Err, ""), sr.En+m.detailEn(sr.Err)), exitFailed
		}
		return m.say(sr.Zh, sr.En), exitFailed
	}
	if m.screen {
		return m.say("出错了，什么都没有改动。请再试一次；还不行就请联系邮政支局（详情记在本机程序的日志里）。",
			"something went wrong and nothing was changed. Try again; if it happens again, call the post office (the details are in the program's log)."), exitFailed
	}
	return m.say("出错了，什么都没有改动。"+m.logDamage("error", err, ""), "error; nothing was changed: "+err.Error()), exitFailed
}

// detailZh and detailEn add err's own text for the command line, where
// it helps whoever reads it; the screen shows none (its log keeps it).
func (m *Main) detailZh(err error) string {
	if m.screen {
		return ""
	}
	return "（详情：" + err.Error() + "）"
}

func (m *Main) detailEn(err error) string {
	if m.screen {
		return ""
	}
	return " (" + err.Error() + ")"
}

func fieldZh(f string) string {
	switch f {
	case "id":
		return "编号"
	case "role":
		return "岗位"
	case "name":
		return "站名"
	case "reason":
		return "原因"
	case "amount":
		return "金额"
	case "counted":
		return "清点数"
	case "sku":
		return "商品编号"
	case "qty":
		return "数量"
	case "items":
		return "商品"
	case "paid":
		return "实收金额"
	case "deliver_to":
		return "送货地点"
	case "promised":
		return "承诺送达日期"
	case "received_by":
		return "签收人"
	case "pin":
		return "银行卡密码"
	case "biller":
		return "缴费单位"
	case "account":
		return "户号"
	case "carrier":
		return "票种"
	case "passenger":
		return "乘客姓名"
	case "from":
		return "出发站"
	case "to":
		return "到达站"
	case "date":
		return "乘车日期"
	case "class":
		return "座位等级"
	case "fare":
		return "票价"
	case "product":
		return "险种"
	case "holder":
		return "被保险人姓名"
	case "object":
		return "保险标的"
	case "sum":
		return "保额"
	case "plan":
		return "号卡套餐"
	case "buyer":
		return "买卡人姓名"
	case "number":
		return "手机号码"
	case "card":
		return "号卡"
	}
	return f
}

func verifyKindZh(kind string) string {
	switch kind {
	case ledger.BadDecode:
		return "读不出来"
	case ledger.BadGap:
		return "前后缺号或顺序不对"
	case ledger.BadHash:
		return "内容被改动（哈希对不上）"
	case ledger.BadSignature:
		return "印章签名不对"
	case ledger.BadUnbalanced:
		return "借贷不平"
	case ledger.BadGenesis:
		return "开通记录不对"
	case ledger.BadBalances:
		return "余额与账目不符"
	case ledger.BadTruncated:
		return "已核验过的账目不见了"
	case ledger.BadIndex:
		return "旁边记的索引或余额与账目不符"
	case ledger.BadFile:
		return "文件结构损坏"
	}
	return kind
}

// damageLog is the file in the station folder where the technical details
// of a damaged or altered ledger, a full disk or any other failure are
// written for the technician; the shopkeeper's Chinese message says only
// what happened and what to do.
const damageLog = "station-errors.log"

// logDamage appends what went wrong, in full, to the technician's log in
// the station folder (dir, or the folder this run opened) and returns a
// sentence saying where it is ("" if it could not be written).
func (m *Main) logDamage(op string, err error, dir string) string {
	if dir == "" {
		dir = m.dir
	}
	if dir == "" {
		return ""
	}
	path := filepath.Join(dir, damageLog)
	f, ferr := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if ferr != nil {
		return ""
	}
	_, werr := fmt.Fprintf(f, "%s %s: %v\n", m.Now().UTC().Format(time.RFC3339), op, err)
	if cerr := f.Close(); werr != nil || cerr != nil {
		return ""
	}
	return m.say("技术细节已记在 "+path+"，请交给技术人员。", "The details are in "+path+" for the technician.")
}
