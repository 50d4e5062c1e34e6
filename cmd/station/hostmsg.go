package main

import (
	"errors"
	"fmt"

	"github.com/villagepost/bianmin/terminal"
)

// explainHost says what a host's answer (or silence) means for the cash at
// the counter: whether to hand money over, give it back, or wait.
func (m *Main) explainHost(err error) (string, bool) {
	var (
		de *terminal.DeclineError
		rv *terminal.ReversedError
		un *terminal.UnreachableError
		rp *terminal.ReversalPendingError
	)
	switch {
	case errors.As(err, &de):
		return m.say(fmt.Sprintf("%s拒绝了这笔%s（代码 %s：%s）。%s", m.hostNameZh(terminal.HostName(de.Service)), m.serviceZh(de.Service), de.Code, codeZh(de.Code, de.Reason), m.nothingMovedZh(de.Service)),
			fmt.Sprintf("%s declined this %s (code %s: %s). %s", m.hostNameZh(terminal.HostName(de.Service)), m.serviceZh(de.Service), de.Code, de.Reason, m.nothingMovedEn(de.Service))), true
	case errors.As(err, &rv):
		zh := fmt.Sprintf("没有收到%s的回音，这笔%s已冲正（流水号 %s）：没有成功，%s%s", m.hostNameZh(terminal.HostName(rv.Service)), m.serviceZh(rv.Service), rv.Trace, reversedCashZh(rv.Service), reversedRecordZh(rv))
		en := fmt.Sprintf("no answer from %s, so this %s was reversed (trace %s): it did not happen. %s%s", m.hostNameZh(terminal.HostName(rv.Service)), m.serviceZh(rv.Service), rv.Trace, reversedCashEn(rv.Service), reversedRecordEn(rv))
		if !rv.Acked {
			zh += "冲正已记下，网络恢复后会自动发送。"
			en += " The reversal is recorded and is sent by itself when the network is back."
		}
		return m.say(zh, en), true
	case errors.As(err, &un):
		return m.say(fmt.Sprintf("连不上%s，这笔%s没有发出，什么钱都没有动。请等网络恢复后再试。", m.hostNameZh(terminal.HostName(un.Service)), m.serviceZh(un.Service)),
			fmt.Sprintf("%s cannot be reached: this %s was not sent and no money moved. Try again when the network is back.", m.hostNameZh(terminal.HostName(un.Service)), m.serviceZh(un.Service))), true
	case errors.As(err, &rp):
		return m.say(fmt.Sprintf("上一笔（流水号 %s）的冲正还没送到%s；送到之前不能办理新的业务，什么都没有记。请等网络恢复后再试（station queue 可查看）。", rp.Trace, m.hostNameZh(rp.Host)),
			fmt.Sprintf("the reversal of %s has not reached %s yet; no new request goes there until it does, and nothing was recorded. Try again when the network is back (see station queue).", rp.Trace, m.hostNameZh(rp.Host))), true
	case errors.Is(err, terminal.ErrUnreachable):
		return m.say("连不上银行或缴费单位，什么都没有办理。请等网络恢复后再试。", "the host cannot be reached; nothing was done. Try again when the network is back."), true
	}
	return "", false
}

// nothingMovedZh tells the shopkeeper what to do with the cash when a
// request did not go through.
func (m *Main) nothingMovedZh(service string) string {
	switch service {
	case terminal.SvcWithdrawal:
		return "卡上没有扣钱，不要付现金。"
	case terminal.SvcBalanceInquiry:
		return "请让持卡人核对后再试。"
	case terminal.SvcTicketCancel:
		return "票还在，不要退钱。"
	case terminal.SvcPolicyCancel:
		return "保单还有效，不要退钱。"
	case terminal.SvcSIMSale:
		return "没有收钱，卡还在库存，不要把卡交给顾客。"
	}
	return "没有记账，请把现金退还顾客。"
}

func (m *Main) nothingMovedEn(service string) string {
	switch service {
	case terminal.SvcWithdrawal:
		return "Nothing was taken from the card: do not hand out cash."
	case terminal.SvcBalanceInquiry:
		return "Let the cardholder check and try again."
	case terminal.SvcTicketCancel:
		return "The ticket stands: give no money back."
	case terminal.SvcPolicyCancel:
		return "The policy stands: give no money back."
	case terminal.SvcSIMSale:
		return "Nothing was charged and the card stays in stock: do not hand it over."
	}
	return "Nothing was recorded: give the customer's cash back."
}

// codeZh explains the response codes banks use (ISO 8583, as China
// UnionPay uses them) in plain Chinese with what to do; other codes are
// shown in the host's own words.
func codeZh(code, reason string) string {
	switch code {
	case "05":
		return "发卡行不予办理，请持卡人联系发卡银行"
	case "14":
		return "卡号或户号不存在，请核对后重新输入"
	case "41", "43":
		return "这张卡已挂失，不能办理，请持卡人联系发卡银行"
	case "51":
		return "卡上余额不足，请少取一些或换一张卡"
	case "54":
		return "这张卡已过期，请持卡人联系发卡银行"
	case "55":
		return "密码不对，请持卡人重新输入密码"
	case "61":
		return "超过发卡行的取款金额限制，请少取一些"
	case "65":
		return "超过发卡行的取款次数限制，请明天再来"
	case "75":
		return "密码输错次数太多，这张卡今天不能再用，请持卡人联系发卡银行"
	case "P1":
		return "保险公司不承保这个险种、保额或起保日期，请核对后再试"
	case "P2":
		return "保费和保险公司的价格不一样，本站的价目表可能过期了，请向邮政支局要新的价目表"
	case "P3":
		return "保险公司没有这张保单，请核对保单"
	case "P4":
		return "这张保单已经退保或作废了"
	case "P5":
		return "已过犹豫期，不能在本店退保，请顾客联系保险公司"
	case "S1":
		return "这个身份证在这家运营商名下已有 5 个号码，不能再办"
	case "S2":
		return "这个身份证在运营商的黑名单上，不能办卡"
	case "S3":
		return "姓名和身份证号码对不上，请核对身份证后重新输入"
	case "S4":
		return "这个号码已经登记过了，请换一张卡"
	}
	return reason
}

// reversedCashZh says what to do with the cash after a reversal. Unlike
// nothingMovedZh it does not say "nothing was recorded": the intent and
// the reversal are in the ledger (reversedRecordZh says where).
func reversedCashZh(service string) string {
	switch service {
	case terminal.SvcWithdrawal:
		return "卡上没有扣钱，不要付现金。"
	case terminal.SvcTicketCancel:
		return "票还在，不要退钱。"
	case terminal.SvcPolicyCancel:
		return "保单还有效，不要退钱。"
	case terminal.SvcSIMSale:
		return "实名登记已撤销，卡还在库存，不要把卡交给顾客，钱退还顾客。"
	}
	return "钱没有付出去，请把现金退还顾客。"
}

func reversedCashEn(service string) string {
	switch service {
	case terminal.SvcWithdrawal:
		return "Nothing was taken from the card: do not hand out cash."
	case terminal.SvcTicketCancel:
		return "The ticket stands: give no money back."
	case terminal.SvcPolicyCancel:
		return "The policy stands: give no money back."
	case terminal.SvcSIMSale:
		return "The registration is cancelled and the card stays in stock: do not hand it over; give the customer's cash back."
	}
	return "The money did not go through: give the customer's cash back."
}

// reversedRecordZh says what the ledger holds of a reversed request.
func reversedRecordZh(rv *terminal.ReversedError) string {
	if rv.Reversal != 0 {
		return fmt.Sprintf("账本已记下这笔申请、待冲正（第 %d 笔）和冲正（第 %d 笔）。", rv.Seq, rv.Reversal)
	}
	return fmt.Sprintf("账本已记下这笔申请和待冲正（第 %d 笔）。", rv.Seq)
}

func reversedRecordEn(rv *terminal.ReversedError) string {
	if rv.Reversal != 0 {
		return fmt.Sprintf(" The ledger holds the request, the reversal due (entry %d) and the reversal (entry %d).", rv.Seq, rv.Reversal)
	}
	return fmt.Sprintf(" The ledger holds the request and the reversal due (entry %d).", rv.Seq)
}
