package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// runContribute quotes and takes residents' medical and pension insurance
// contributions (城乡居民医保 / 养老保险) for a household.
func (m *Main) runContribute(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station contribute quote 或 pay。", "say what to do: station contribute quote or pay.")
	}
	switch args[0] {
	case "quote":
		return m.contribute(ctx, args[1:], false)
	case "pay":
		return m.contribute(ctx, args[1:], true)
	}
	return m.usageErr("医保养老保险代收没有“%s”这个操作；可用 quote、pay。", "contribute has no %q; use quote or pay.", args[0])
}

// memberList is the repeatable --member flag.
type memberList []string

func (l *memberList) String() string     { return strings.Join(*l, " ") }
func (l *memberList) Set(s string) error { *l = append(*l, s); return nil }

// parseMember reads one --member: name,ID,scheme[,grade], with ASCII or
// full-width commas. The scheme is medical or pension (医保, 养老 too);
// the grade is a pension's 档次. Errors are *terminal.MemberError naming
// the member's row.
func parseMember(row int, s string) (terminal.Member, error) {
	bad := func(rule, zh string) (terminal.Member, error) {
		return terminal.Member{}, &terminal.MemberError{Row: row, Err: &terminal.InputError{Field: "member", Rule: rule, RuleZh: zh}}
	}
	if len(s) > 200 {
		return bad("at most 200 bytes", "写得太长了")
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' })
	if len(parts) < 3 || len(parts) > 4 {
		return bad("write name,ID,scheme[,grade], e.g. 王建国,411523198001011234,medical or 王建国,411523198001011234,pension,300",
			"要写成 姓名,身份证号,险种[,档次]，例如 王建国,411523198001011234,medical 或 王建国,411523198001011234,pension,300")
	}
	mb := terminal.Member{Name: strings.TrimSpace(parts[0]), IDNumber: strings.TrimSpace(parts[1]), Scheme: strings.TrimSpace(parts[2])}
	if mb.Name == "" || mb.IDNumber == "" || mb.Scheme == "" {
		return bad("name, ID and scheme must each be written", "姓名、身份证号、险种都要写")
	}
	if len(parts) == 4 {
		g, err := money.Parse("grade", strings.TrimSpace(parts[3]), money.Limits{})
		if err != nil {
			return terminal.Member{}, &terminal.MemberError{Row: row, Err: err}
		}
		mb.Grade = g
	}
	return mb, nil
}

func (m *Main) contribute(ctx context.Context, args []string, pay bool) error {
	name := "contribute quote"
	if pay {
		name = "contribute pay"
	}
	fs := m.flags(name)
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	head := fs.String("head", "", "the head of the household (户主), name or number; optional")
	var members memberList
	fs.Var(&members, "member", "a member: name,ID,scheme[,grade], scheme medical or pension, grade a pension's 档次 (repeat for each member)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	hh := terminal.Household{Head: *head}
	for i, s := range members {
		mb, err := parseMember(i+1, s)
		if err != nil {
			return err
		}
		hh.Members = append(hh.Members, mb)
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	svc := c.Contributions()
	if !pay {
		q, err := svc.Quote(ctx, hh)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(m.Stdout, m.householdJSON(q, nil))
		}
		m.printHousehold(q, false)
		return nil
	}
	hh.Operator, hh.IdemKey = c.Op.ID, shopfront.NewIdemKey("household")
	r, err := svc.Pay(ctx, hh)
	if err != nil {
		return err
	}
	if *asJSON {
		out := m.householdJSON(r.HouseholdQuote, &r)
		out["receipt"] = m.printReceipt(c.Folder, r.Entry.Seq, true)
		return writeJSON(m.Stdout, out)
	}
	m.printHousehold(r.HouseholdQuote, true)
	m.printf("  记在账本第 %d 笔（回执）。\n", "  Ledger entry %d (the receipt).\n", r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

// printHousehold tells the shopkeeper, member by member, what is due (a
// quote) or what was paid, and the cash to take.
func (m *Main) printHousehold(q terminal.HouseholdQuote, paid bool) {
	if q.Head != "" {
		m.printf("户主 %s：\n", "Household of %s:\n", q.Head)
	}
	n := 0
	for _, l := range q.Members {
		what := fmt.Sprintf("%d. %s（%s）%s %d 年度", l.Row, l.Name, l.ID, l.SchemeName, l.Year)
		whatEn := fmt.Sprintf("%d. %s (%s) %s %d", l.Row, l.Name, l.ID, l.Scheme, l.Year)
		switch l.Status {
		case terminal.MemberDue, terminal.MemberPaid:
			n++
			grade, gradeEn := "", ""
			if l.Scheme == tariff.SchemePension {
				grade, gradeEn = fmt.Sprintf("，档次 %s", money.FormatReceipt(l.Grade)), fmt.Sprintf(", grade %s", money.FormatReceipt(l.Grade))
			}
			amount := money.FormatReceipt(l.Amount.Add(l.Fee))
			if l.Status == terminal.MemberPaid {
				m.printf("  %s：%s%s，已缴 %s，确认号 %s。\n", "  %s: %s%s, paid %s, confirmation %s.\n",
					m.say(what, whatEn), m.categoryWord(l.Category), m.say(grade, gradeEn), amount, l.Reference)
			} else {
				m.printf("  %s：%s%s，应缴 %s。\n", "  %s: %s%s, due %s.\n", m.say(what, whatEn), m.categoryWord(l.Category), m.say(grade, gradeEn), amount)
			}
		default:
			m.printf("  %s：%s\n", "  %s: %s\n", m.say(what, whatEn), m.notCharged(l))
		}
	}
	total := money.FormatReceipt(q.Total)
	if paid {
		m.printf("缴费成功 %d 人：收现金 %s，本店佣金 %s。没有缴成的成员没有收钱。\n", "%d member(s) paid: take %s in cash; shop commission %s. Members not paid are not charged.\n",
			n, total, money.FormatReceipt(q.Commission))
		return
	}
	if n == 0 {
		m.printf("社保系统一位也不收，没有要交的钱。什么都没有记。\n", "The social-insurance host takes none of them: nothing to pay. Nothing was recorded.\n")
		return
	}
	m.printf("共 %d 人可以缴，合计 %s。请收下现金后用 station contribute pay 缴费（同样的成员）。这一步什么都没有记。\n",
		"%d member(s) can pay, %s in all. Take the cash, then pay with station contribute pay (the same members). Nothing was recorded.\n", n, total)
}

// categoryWord names a member's category.
func (m *Main) categoryWord(c string) string {
	return m.say(tariff.CategoryZh(c)+"人员", c)
}

// notCharged says why a member is not charged, and what to do.
func (m *Main) notCharged(l terminal.MemberLine) string {
	switch l.Status {
	case terminal.MemberRefused, terminal.MemberDeclined:
		return m.say(fmt.Sprintf("社保系统不收（代码 %s：%s），不收这个人的钱。", l.Code, contributionCodeZh(l.Code, l.Reason)),
			fmt.Sprintf("refused by the social-insurance host (code %s: %s); do not charge this member.", l.Code, l.Reason))
	case terminal.MemberReversed:
		return m.say(fmt.Sprintf("没有收到社保系统的回音，这个人的缴费已冲正（流水号 %s）：没有缴成，不收他的钱，可以稍后再为他缴。", l.Trace),
			fmt.Sprintf("no answer from the social-insurance host, so this member's payment was reversed (trace %s): not paid, not charged; try again later.", l.Trace))
	}
	return m.say("连不上社保系统，这个人没有缴，不收他的钱。请等网络恢复后再为他缴。",
		"the social-insurance host cannot be reached: this member was not paid and is not charged. Try again when the network is back.")
}

// contributionCodeZh says what the social-insurance host's code means.
func contributionCodeZh(code, reason string) string { return terminal.ContributionCodeZh(code, reason) }

// householdJSON is a quote or a payment as JSON.
func (m *Main) householdJSON(q terminal.HouseholdQuote, r *terminal.HouseholdResult) map[string]any {
	members := []map[string]any{}
	for _, l := range q.Members {
		mm := map[string]any{"row": l.Row, "name": l.Name, "id": l.ID, "scheme": l.Scheme, "year": l.Year, "grade": money.FormatWire(l.Grade),
			"status": l.Status, "category": l.Category, "amount": money.FormatWire(l.Amount), "fee": money.FormatWire(l.Fee),
			"commission": money.FormatWire(l.Commission)}
		for k, v := range map[string]string{"code": l.Code, "reason": l.Reason, "trace": l.Trace, "reference": l.Reference} {
			if v != "" {
				mm[k] = v
			}
		}
		if l.Entry != 0 {
			mm["entry"] = l.Entry
		}
		members = append(members, mm)
	}
	out := map[string]any{"head": q.Head, "members": members, "total": money.FormatWire(q.Total), "commission": money.FormatWire(q.Commission)}
	if r != nil {
		out["seq"], out["paid"] = r.Entry.Seq, r.Paid
	}
	return out
}

// explainContribution says what went wrong with a household, naming the
// member's row and the field as the shopkeeper typed it.
func (m *Main) explainContribution(err error) (string, bool) {
	var (
		me *terminal.MemberError
		wc *terminal.WindowClosedError
		np *terminal.NothingToPayError
		ie *terminal.InputError
		ic *idcheck.InputError
		mo *money.Error
	)
	var (
		lk *terminal.LookupError
		hp *terminal.HouseholdPartError
	)
	switch {
	case errors.As(err, &hp):
		// Said first: the members charged are paid whatever stopped the rest.
		var paid, paidEn []string
		for _, l := range hp.Charged {
			paid = append(paid, fmt.Sprintf("第 %d 位 %s（收据在账本第 %d 笔）", l.Row, l.Name, l.Entry))
			paidEn = append(paidEn, fmt.Sprintf("member %d %s (receipt: ledger entry %d)", l.Row, l.Name, l.Entry))
		}
		rest, _ := m.explain(hp.Err)
		return m.say(fmt.Sprintf("已缴成功 %d 人：%s，请只收这几位的现金 %s，并打印他们的收据。其余成员没有缴成：%s", len(hp.Charged), strings.Join(paid, "、"), money.FormatReceipt(hp.Total), rest),
			fmt.Sprintf("%d members paid: %s; take only their cash, %s, and print their receipts. The other members were not paid: %s", len(hp.Charged), strings.Join(paidEn, ", "), money.FormatWire(hp.Total), rest)), true
	case errors.As(err, &lk):
		if errors.Is(err, terminal.ErrUnreachable) {
			return m.say(fmt.Sprintf("连不上社保系统（问第 %d 位成员时），没有报价，什么都没有记，也不要收钱。请等网络恢复后再试。", lk.Row),
				fmt.Sprintf("the social-insurance host cannot be reached (asking about member %d): no quote, nothing recorded, take no cash. Try again when the network is back.", lk.Row)), true
		}
		return m.say(fmt.Sprintf("问第 %d 位成员时社保系统没有回音，没有报价，什么都没有记，也不要收钱。请稍后再试。", lk.Row),
			fmt.Sprintf("no answer from the social-insurance host about member %d: no quote, nothing recorded, take no cash. Try again later.", lk.Row)), true
	case errors.As(err, &wc):
		return m.say(wc.Zh()+"。什么都没有记。", strings.TrimPrefix(wc.Error(), "terminal: ")+"."), true
	case errors.As(err, &np):
		var lines []string
		for _, l := range np.Members {
			lines = append(lines, fmt.Sprintf(m.say("第 %d 位 %s：%s", "member %d %s: %s"), l.Row, l.Name, m.notCharged(l)))
		}
		return m.say("这一户没有一位能缴：", "no member of this household can pay: ") + strings.Join(lines, " ") +
			m.say("什么都没有记，请把现金退还顾客。", " Nothing was recorded; give the cash back."), true
	case errors.Is(err, terminal.ErrNoContributions):
		return m.say("本站的价目表里没有城乡居民医保、养老保险，不能代收。请向邮政支局要新的价目表。",
			"the station's tariff lists no residents' insurance schemes; ask the post office for a new tariff."), true
	case errors.As(err, &me):
		var rule, ruleEn string
		switch {
		case errors.As(me.Err, &ic):
			rule, ruleEn = ic.Zh(), ic.Error()
		case errors.As(me.Err, &mo):
			rule, ruleEn = mo.Zh(), mo.Error()
		case errors.As(me.Err, &ie):
			r := ie.RuleZh
			if r == "" {
				r = ie.Rule
			}
			rule, ruleEn = fmt.Sprintf("“%s”填得不对：%s", memberFieldZh(ie.Field), r), ie.Field+" is wrong: "+ie.Rule
		default:
			rule, ruleEn = me.Err.Error(), me.Err.Error()
		}
		return m.say(fmt.Sprintf("第 %d 位家庭成员：%s。请改正后再试，什么都没有记。", me.Row, rule),
			fmt.Sprintf("member %d: %s. Correct it and try again; nothing was recorded.", me.Row, ruleEn)), true
	case errors.As(err, &ie) && (ie.Field == "member" || ie.Field == "head"):
		return m.say(fmt.Sprintf("“%s”填得不对：%s。请改正后再试，什么都没有记。", memberFieldZh(ie.Field), ie.RuleZh),
			fmt.Sprintf("%s is wrong: %s. Correct it and try again; nothing was recorded.", ie.Field, ie.Rule)), true
	}
	return "", false
}

// memberFieldZh labels the fields of a household.
func memberFieldZh(f string) string {
	switch f {
	case "member":
		return "家庭成员"
	case "head":
		return "户主"
	case "name":
		return "姓名"
	case "id":
		return "身份证号"
	case "scheme":
		return "险种"
	case "grade":
		return "缴费档次"
	}
	return f
}
