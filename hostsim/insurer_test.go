package hostsim_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

func policyIssue(trace, product, sum, premium string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcPolicyIssue, Amount: premium,
		Policy: &terminal.PolicyDetails{Product: product, Holder: "王秀英", IDNumber: testID, Object: "砖木结构住房三间", SumInsured: sum, Start: date(1)}}
}

func policyCancel(trace, number string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcPolicyCancel, Policy: &terminal.PolicyDetails{Number: number}}
}

func TestPolicyIssueRules(t *testing.T) {
	tests := []struct {
		name                  string
		product, sum, premium string
		start                 int // days after today
		code                  string
	}{
		{"farmhouse", "farmhouse", "100000.00", "150.00", 1, hostsim.CodeApproved},
		{"minimum premium", "farmhouse", "10000.00", "20.00", 1, hostsim.CodeApproved},
		{"machinery", "machinery", "85000.00", "680.00", 30, hostsim.CodeApproved},
		{"home", "home", "30000.00", "60.00", 2, hostsim.CodeApproved},
		{"ErrNoProduct", "car", "30000.00", "60.00", 1, hostsim.CodeNotInsurable},
		{"ErrSumAboveLimit", "farmhouse", "300000.01", "450.00", 1, hostsim.CodeNotInsurable},
		{"ErrSumBelowLimit", "home", "4999.99", "20.00", 1, hostsim.CodeNotInsurable},
		{"ErrStartsToday", "home", "30000.00", "60.00", 0, hostsim.CodeNotInsurable},
		{"ErrStartsTooLate", "home", "30000.00", "60.00", 31, hostsim.CodeNotInsurable},
		{"ErrPremiumLow", "farmhouse", "100000.00", "149.99", 1, hostsim.CodePremium},
		{"ErrPremiumBelowMinimum", "farmhouse", "10000.00", "15.00", 1, hostsim.CodePremium},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			r := policyIssue(s.trace(), tt.product, tt.sum, tt.premium)
			r.Policy.Start = date(tt.start)
			rep := s.send(t, r)
			if tt.code != hostsim.CodeApproved {
				wantStatus(t, "issue", rep, terminal.StatusDeclined, tt.code)
				return
			}
			wantStatus(t, "issue", rep, terminal.StatusApproved, hostsim.CodeApproved)
			if !regexp.MustCompile(`^PH` + date(tt.start)[:4] + `[0-9]{12}$`).MatchString(rep.Reference) {
				t.Errorf("policy number %q", rep.Reference)
			}
			if rep.Amount != tt.premium || rep.Until != date(15) {
				t.Errorf("premium %s until %s, want %s until %s", rep.Amount, rep.Until, tt.premium, date(15))
			}
		})
	}
}

func TestPolicyCancel(t *testing.T) {
	s := MustOpen(t)
	pol := s.send(t, policyIssue(s.trace(), "farmhouse", "100000.00", "150.00"))
	wantStatus(t, "issue", pol, terminal.StatusApproved, hostsim.CodeApproved)
	wantStatus(t, "cancel of a policy never issued", s.send(t, policyCancel(s.trace(), "PH2026000000000000")), terminal.StatusDeclined, hostsim.CodeNoPolicy)

	// The last day of the cooling-off period: the whole premium back.
	s.clock.Set(start().AddDate(0, 0, 15).Add(13 * time.Hour)) // 23:00 on the 15th day
	c := s.send(t, policyCancel(s.trace(), pol.Reference))
	wantStatus(t, "cancel", c, terminal.StatusApproved, hostsim.CodeApproved)
	if c.Amount != "150.00" {
		t.Errorf("refund %s, want the whole premium 150.00", c.Amount)
	}
	wantStatus(t, "second cancel", s.send(t, policyCancel(s.trace(), pol.Reference)), terminal.StatusDeclined, hostsim.CodePolicyCancelled)

	// A reversal of the cancel puts the policy back in force; the day
	// after the cooling-off period it can no longer be cancelled here.
	s.reverse(t, c.Trace)
	s.clock.Set(start().AddDate(0, 0, 16))
	wantStatus(t, "cancel after the cooling-off period", s.send(t, policyCancel(s.trace(), pol.Reference)), terminal.StatusDeclined, hostsim.CodeCoolingOffOver)
}

// TestPolicyLostReplyVoided is the insurer's rule for a reply lost after
// it issued the policy: Status says approved, a reversal voids the
// policy, and from then on Status says reversed and the policy cannot be
// cancelled (there is nothing to refund). A restarted insurer remembers.
func TestPolicyLostReplyVoided(t *testing.T) {
	s := MustOpen(t, "policy_issue=drop#1")
	r := policyIssue(s.trace(), "farmhouse", "100000.00", "150.00")
	if _, err := s.Send(context.Background(), r); err == nil || errors.Is(err, terminal.ErrUnreachable) {
		t.Fatalf("a dropped reply: %v", err)
	}
	st := s.status(t, r.Trace)
	wantStatus(t, "status", st, terminal.StatusApproved, hostsim.CodeApproved)
	wantStatus(t, "reverse", s.reverse(t, r.Trace), terminal.StatusReversed, hostsim.CodeApproved)
	s.reopen(t)
	wantStatus(t, "status after restart", s.status(t, r.Trace), terminal.StatusReversed, hostsim.CodeApproved)
	wantStatus(t, "cancel of a voided policy", s.send(t, policyCancel(s.trace(), st.Reference)), terminal.StatusDeclined, hostsim.CodePolicyCancelled)
	// The same trace again gets its first answer and issues nothing more.
	if rep := s.send(t, r); rep.Reference != st.Reference {
		t.Errorf("a repeat got %+v", rep)
	}
}

func TestPolicyRequestErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *terminal.HostRequest)
		field string
	}{
		{"no policy", func(r *terminal.HostRequest) { r.Policy = nil }, "policy"},
		{"no premium", func(r *terminal.HostRequest) { r.Amount = "" }, "amount"},
		{"no holder", func(r *terminal.HostRequest) { r.Policy.Holder = "" }, "policy.holder"},
		{"sum", func(r *terminal.HostRequest) { r.Policy.SumInsured = "100000" }, "policy.sum_insured"},
		{"start", func(r *terminal.HostRequest) { r.Policy.Start = "2026-13-01" }, "policy.start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			r := policyIssue(s.trace(), "farmhouse", "100000.00", "150.00")
			tt.edit(&r)
			_, err := s.Send(context.Background(), r)
			var re *hostsim.RequestError
			if !errors.As(err, &re) || re.Field != tt.field {
				t.Fatalf("err = %v, want a RequestError on %s", err, tt.field)
			}
		})
	}
}
