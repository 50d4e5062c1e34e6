package terminal_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/terminal"
)

// A household; the order codes (15th-17th characters) make the social
// host's categories (hostsim/social.go).
const (
	idHead     = "411523198001011234" // standard, born 1980
	idWife     = "411523198203159069" // 低保
	idGrandma  = "411523195207089260" // 特困, born 1952: too old to pay into the pension
	idOutsider = "411523198501019996" // not registered in this county
)

// lossyHost loses the reply to the nth contribution it is sent, after the
// host decided it.
type lossyHost struct {
	terminal.Host
	mu   sync.Mutex
	n    int
	lose int
}

func (h *lossyHost) Send(ctx context.Context, r terminal.HostRequest) (terminal.HostReply, error) {
	rep, err := h.Host.Send(ctx, r)
	if r.Service != terminal.SvcContribution {
		return rep, err
	}
	h.mu.Lock()
	h.n++
	lost := h.n == h.lose
	h.mu.Unlock()
	if lost && err == nil {
		return terminal.HostReply{}, errors.New("test: the reply was lost")
	}
	return rep, err
}

type contribRig struct {
	*insureRig
	c *terminal.Contributions
}

func newContribRig(t *testing.T) *contribRig {
	r := &contribRig{insureRig: newInsureRig(t)}
	r.c = &terminal.Contributions{Link: r.link, Lookup: r.sim, Tariff: r.tariff, Today: func() time.Time { return r.now.In(r.ledger.Zone()) }}
	return r
}

func household(ms ...terminal.Member) terminal.Household {
	return terminal.Household{Operator: "OP1", Head: "王建国", Members: ms, IdemKey: "hh-1"}
}

func medical(name, id string) terminal.Member {
	return terminal.Member{Name: name, IDNumber: id, Scheme: "medical"}
}

func pension(name, id, grade string) terminal.Member {
	return terminal.Member{Name: name, IDNumber: id, Scheme: "pension", Grade: decimal.RequireFromString(grade)}
}

// TestContributionRefusedBeforeTheHost: what the station can check itself
// names the member's row and the field, asks no host and records nothing.
func TestContributionRefusedBeforeTheHost(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name   string
		now    time.Time
		h      terminal.Household
		row    int
		field  string
		zh     string // in the Chinese words
		closed bool
	}{
		{"ErrCheckDigit", time.Time{}, household(medical("王建国", idHead), medical("李秀兰", "411523198203159068")), 2, "id", "", false},
		{"ErrMemberTwice", time.Time{}, household(medical("王建国", idHead), pension("王建国", idHead, "300"), medical("王建国", idHead)), 3, "id", "第 1 位", false},
		{"ErrUnknownGrade", time.Time{}, household(pension("王建国", idHead, "250")), 1, "grade", "200.00、300.00、500.00、1000.00、2000.00", false},
		{"ErrMedicalGrade", time.Time{}, household(pension("王建国", idHead, "300"), terminal.Member{Name: "李秀兰", IDNumber: idWife, Scheme: "medical", Grade: decimal.RequireFromString("300")}), 2, "grade", "不用填档次", false},
		{"ErrUnknownScheme", time.Time{}, household(terminal.Member{Name: "王建国", IDNumber: idHead, Scheme: "dental"}), 1, "scheme", "城乡居民基本医疗保险（medical）", false},
		{"ErrName", time.Time{}, household(medical("王", idHead)), 1, "name", "", false},
		{"ErrNoMembers", time.Time{}, household(), 0, "member", "", false},
		{"ErrClosedAfter", time.Date(2027, 1, 15, 10, 0, 0, 0, cst), household(medical("王建国", idHead)), 1, "", "2027 年度的缴费已于 2026年12月31日截止；下一年度的缴费时间还没有公布", true},
		{"ErrClosedBefore", time.Date(2026, 8, 15, 10, 0, 0, 0, cst), household(pension("王建国", idHead, "300"), medical("王建国", idHead)), 2, "", "2026 年度的缴费已于 2025年12月31日截止；2027 年度从 2026年9月1日开始缴费", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newContribRig(t)
			if !tt.now.IsZero() {
				r.now, r.hnow = tt.now, tt.now
			}
			before := r.kinds(0)
			_, err := r.c.Pay(context.Background(), tt.h)
			if tt.closed {
				var we *terminal.WindowClosedError
				if !errors.As(err, &we) || we.Row != tt.row || !strings.Contains(we.Zh(), tt.zh) {
					t.Fatalf("err = %v (%s), want the window closed at row %d saying %q", err, we.Zh(), tt.row, tt.zh)
				}
			} else {
				var me *terminal.MemberError
				var ie *terminal.InputError
				var ic *idcheck.InputError
				switch {
				case tt.row == 0:
					if !errors.As(err, &ie) || ie.Field != tt.field {
						t.Fatalf("err = %v, want an input error on %s", err, tt.field)
					}
				case !errors.As(err, &me) || me.Row != tt.row:
					t.Fatalf("err = %v, want member %d", err, tt.row)
				case tt.field == "id" && tt.zh == "":
					if !errors.As(err, &ic) || ic.Rule != idcheck.RuleCheckDigit {
						t.Fatalf("err = %v, want the check digit", err)
					}
				case !errors.As(err, &ie) || ie.Field != tt.field || !strings.Contains(ie.RuleZh, tt.zh):
					t.Fatalf("err = %v (%+v), want %s saying %q", err, ie, tt.field, tt.zh)
				}
			}
			if after := r.kinds(0); len(after) != len(before) {
				t.Errorf("recorded %v", after[len(before):])
			}
		})
	}
}

// TestHouseholdHalfConfirmed: a household of six, two of whom the host
// refuses at the lookup and one whose reply is lost after the host took
// the payment: the lost one is asked about, reversed and not charged; the
// household ends with exactly the three confirmed members charged, one
// entry lists all six, and the host holds exactly those three as paid.
func TestHouseholdHalfConfirmed(t *testing.T) {
	r := newContribRig(t)
	lossy := &lossyHost{Host: r.sim, lose: 2}
	r.link.Host = lossy
	ctx := context.Background()
	h := household(
		medical("王建国", idHead),
		medical("李秀兰", idWife),
		medical("张桂英", idGrandma),
		pension("王建国", idHead, "300"),
		medical("赵四", idOutsider),
		pension("张桂英", idGrandma, "200"),
	)
	q, err := r.c.Quote(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Total.Equal(dec("800.00")) || !q.Commission.Equal(dec("8.00")) {
		t.Errorf("quote total %s commission %s", q.Total, q.Commission)
	}
	if got := statuses(q.Members); got != "due due due due refused refused" {
		t.Errorf("quote: %s", got)
	}
	if len(r.kinds(2)) != 0 {
		t.Fatal("a quote recorded something")
	}
	res, err := r.c.Pay(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res.Members); got != "paid reversed paid paid refused refused" {
		t.Fatalf("paid: %s", got)
	}
	if res.Paid != 3 || !res.Total.Equal(dec("700.00")) || !res.Commission.Equal(dec("6.00")) {
		t.Errorf("result paid %d total %s commission %s", res.Paid, res.Total, res.Commission)
	}
	m := res.Members
	if m[0].Category != "standard" || m[2].Category != "tekun" || !m[2].Amount.IsZero() || !strings.HasPrefix(m[0].Reference, "SB2027") ||
		!strings.HasPrefix(m[3].Reference, "SB2026") || m[4].Code != hostsim.CodeNotRegistered || m[5].Code != hostsim.CodeNotEligible {
		t.Errorf("members %+v", m)
	}
	r.balances(map[string]string{"assets:cash": "2700.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-694.00", "income:commission:contribution": "-6.00"})
	// Each member asked of the host has an intent and an outcome; the lost
	// reply a reversal; then the household entry.
	want := "intent contribution intent reversal_due reversal intent contribution intent contribution contribution_household"
	if got := strings.Join(r.kinds(2), " "); got != want {
		t.Errorf("entries\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(string(res.Entry.Payload), idHead) {
		t.Error("the household entry holds a full ID number")
	}
	for i, word := range []string{"approved", "reversed", "approved", "approved"} {
		if got := r.hostWord(m[i].Trace); got != word {
			t.Errorf("member %d: the host says %s, want %s", i+1, got, word)
		}
	}
	// The wife was not charged: she may pay again, in a new household.
	again := household(medical("李秀兰", idWife))
	again.IdemKey = "hh-2"
	res2, err := r.c.Pay(ctx, again)
	if err != nil || res2.Paid != 1 || !res2.Total.Equal(dec("100.00")) {
		t.Fatalf("the wife again: %+v %v", res2, err)
	}
	// A retry of the first household changes nothing.
	n := len(r.kinds(0))
	retry, err := r.c.Pay(ctx, h)
	if err != nil || retry.Entry.Seq != res.Entry.Seq || retry.Paid != 3 || !retry.Total.Equal(res.Total) || len(r.kinds(0)) != n {
		t.Errorf("retry: %+v %v", retry, err)
	}
	// Those who paid are refused now.
	q, err = r.c.Quote(ctx, household(medical("王建国", idHead)))
	if err != nil || q.Members[0].Code != hostsim.CodeAlreadyPaid || !q.Total.IsZero() {
		t.Errorf("after paying: %+v %v", q, err)
	}
}

// TestHouseholdNothingToPay: a household the host takes no member of, or
// a host that cannot be reached, records nothing.
func TestHouseholdNothingToPay(t *testing.T) {
	r := newContribRig(t)
	ctx := context.Background()
	_, err := r.c.Pay(ctx, household(medical("赵四", idOutsider), pension("张桂英", idGrandma, "200")))
	var np *terminal.NothingToPayError
	if !errors.As(err, &np) || statuses(np.Members) != "refused refused" {
		t.Fatalf("err = %v", err)
	}
	r.faults("social=down")
	_, err = r.c.Pay(ctx, household(medical("王建国", idHead)))
	if !errors.As(err, &np) || statuses(np.Members) != "not_sent" {
		t.Fatalf("host down: err = %v", err)
	}
	var le *terminal.LookupError
	if _, err := r.c.Quote(ctx, household(medical("王建国", idHead))); !errors.Is(err, terminal.ErrUnreachable) || !errors.As(err, &le) || le.Row != 1 {
		t.Errorf("quote with the host down: %v", err)
	}
	if k := r.kinds(2); len(k) != 0 {
		t.Errorf("recorded %v", k)
	}
	r.balances(map[string]string{"assets:cash": "2000.00", "equity:owner": "-2000.00"})
}

// TestHouseholdHostDeclines: a member the host declines at the payment
// (a fault) is not charged; the others are.
func TestHouseholdHostDeclines(t *testing.T) {
	r := newContribRig(t)
	r.faults("contribution=decline:C2#1")
	res, err := r.c.Pay(context.Background(), household(medical("王建国", idHead), medical("李秀兰", idWife)))
	if err != nil {
		t.Fatal(err)
	}
	if statuses(res.Members) != "declined paid" || !res.Total.Equal(dec("100.00")) || res.Members[0].Code != "C2" {
		t.Errorf("result %+v", res)
	}
	r.balances(map[string]string{"assets:cash": "2100.00", "equity:owner": "-2000.00",
		"postoffice:settlement": "-98.00", "income:commission:contribution": "-2.00"})
}

func statuses(ms []terminal.MemberLine) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Status)
	}
	return strings.Join(out, " ")
}
