package hostsim_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"testing"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

// IDs of a test household; the order codes (15th-17th characters) make
// the host's categories.
const (
	idHead     = "411523198001011234" // 123: standard, born 1980
	idDibao    = "411523198203159069" // 906: 低保
	idTekun    = "411523195207089260" // 926: 特困, born 1952
	idDisabled = "411523199005129453" // 945: 重度残疾
	idChild    = "411523201506011218" // born 2015
	idOutsider = "411523198501019996" // 999: not registered here
)

func member(scheme string, year int, id, grade string) terminal.ContributionDetails {
	return terminal.ContributionDetails{Scheme: scheme, Year: year, Name: "王建国", IDNumber: id, Grade: grade, Household: "王建国"}
}

func contribution(trace, amount string, m terminal.ContributionDetails) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcContribution, Amount: amount, Contribution: &m}
}

// TestContributionRules: the lookup and the contribution request decide
// alike, on the test day 2026-11-20 (medical 2027 open, pension 2026 open).
func TestContributionRules(t *testing.T) {
	tests := []struct {
		name     string
		m        terminal.ContributionDetails
		code     string
		category string
		due      string
	}{
		{"medical standard", member("medical", 2027, idHead, "400.00"), "", "standard", "400.00"},
		{"medical dibao", member("medical", 2027, idDibao, "400.00"), "", "dibao", "100.00"},
		{"medical tekun", member("medical", 2027, idTekun, "400.00"), "", "tekun", "0.00"},
		{"medical disabled", member("medical", 2027, idDisabled, "400.00"), "", "disabled", "0.00"},
		{"medical child", member("medical", 2027, idChild, "400.00"), "", "standard", "400.00"},
		{"pension standard", member("pension", 2026, idHead, "300.00"), "", "standard", "300.00"},
		{"pension dibao", member("pension", 2026, idDibao, "500.00"), "", "dibao", "400.00"},
		{"pension disabled lowest grade", member("pension", 2026, idDisabled, "200.00"), "", "disabled", "0.00"},
		{"ErrNotRegistered", member("medical", 2027, idOutsider, "400.00"), hostsim.CodeNotRegistered, "", ""},
		{"ErrWindowClosed", member("medical", 2026, idHead, "380.00"), hostsim.CodeWindowClosed, "", ""},
		{"ErrWindowNotOpen", member("pension", 2027, idHead, "300.00"), hostsim.CodeWindowClosed, "", ""},
		{"ErrNoSuchYear", member("medical", 2030, idHead, "400.00"), hostsim.CodeWindowClosed, "", ""},
		{"ErrPensionTooOld", member("pension", 2026, idTekun, "200.00"), hostsim.CodeNotEligible, "", ""},
		{"ErrPensionTooYoung", member("pension", 2026, idChild, "200.00"), hostsim.CodeNotEligible, "", ""},
		{"ErrNoSuchGrade", member("pension", 2026, idHead, "250.00"), hostsim.CodeContributionAmount, "", ""},
		{"ErrMedicalRate", member("medical", 2027, idHead, "380.00"), hostsim.CodeContributionAmount, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			due, err := s.LookupContribution(context.Background(), tt.m)
			if err != nil {
				t.Fatal(err)
			}
			amount := tt.due
			if tt.code != "" {
				if due.Status != terminal.DueRefused || due.Code != tt.code || due.Reason == "" {
					t.Fatalf("lookup %+v, want refused %s", due, tt.code)
				}
				amount = "0.00"
			} else if due.Status != terminal.DueOwed || due.Category != tt.category || due.Amount != tt.due {
				t.Fatalf("lookup %+v, want %s %s", due, tt.category, tt.due)
			}
			rep := s.send(t, contribution(s.trace(), amount, tt.m))
			if tt.code != "" {
				wantStatus(t, "contribution", rep, terminal.StatusDeclined, tt.code)
				return
			}
			wantStatus(t, "contribution", rep, terminal.StatusApproved, hostsim.CodeApproved)
			if !regexp.MustCompile(`^SB(2026|2027)[0-9]{12}$`).MatchString(rep.Reference) || rep.Amount != tt.due {
				t.Errorf("reply %+v", rep)
			}
		})
	}
}

// TestContributionOncePerYear: a member who has paid is refused (C2)
// until the payment is reversed; the host remembers it across a restart;
// an amount that is not the one due is refused (C5).
func TestContributionOncePerYear(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	m := member("medical", 2027, idDibao, "400.00")
	wantStatus(t, "wrong amount", s.send(t, contribution(s.trace(), "400.00", m)), terminal.StatusDeclined, hostsim.CodeContributionAmount)
	first := s.trace()
	wantStatus(t, "pay", s.send(t, contribution(first, "100.00", m)), terminal.StatusApproved, hostsim.CodeApproved)
	s.reopen(t)
	if due, _ := s.LookupContribution(ctx, m); due.Code != hostsim.CodeAlreadyPaid {
		t.Errorf("lookup after paying: %+v", due)
	}
	wantStatus(t, "twice", s.send(t, contribution(s.trace(), "100.00", m)), terminal.StatusDeclined, hostsim.CodeAlreadyPaid)
	// The same person may pay the other scheme.
	p := member("pension", 2026, idDibao, "200.00")
	wantStatus(t, "pension", s.send(t, contribution(s.trace(), "100.00", p)), terminal.StatusApproved, hostsim.CodeApproved)
	rev, err := s.Reverse(ctx, first)
	if err != nil || rev.Status != terminal.StatusReversed {
		t.Fatalf("reverse: %+v %v", rev, err)
	}
	s.reopen(t)
	if due, _ := s.LookupContribution(ctx, m); due.Status != terminal.DueOwed || due.Amount != "100.00" {
		t.Errorf("lookup after the reversal: %+v", due)
	}
	wantStatus(t, "again", s.send(t, contribution(s.trace(), "100.00", m)), terminal.StatusApproved, hostsim.CodeApproved)
}

// TestContributionJournalMasks: the journal holds the name and ID masked
// and the host's person number, never the ID.
func TestContributionJournalMasks(t *testing.T) {
	s := MustOpen(t)
	s.send(t, contribution(s.trace(), "400.00", member("medical", 2027, idHead, "400.00")))
	f, err := os.Open(s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []hostsim.JournalLine
	if err := hostsim.ReadJournal(f, func(_ int, l hostsim.JournalLine) error { lines = append(lines, l); return nil }); err != nil {
		t.Fatal(err)
	}
	c := lines[len(lines)-1].Contribution
	if c == nil || c.IDNumber != "4115**********1234" || c.Name != "王**" || !regexp.MustCompile(`^P[0-9]{12}$`).MatchString(c.Person) || c.Category != "standard" {
		t.Fatalf("journal contribution %+v", c)
	}
	if lines[len(lines)-1].Host != "social" {
		t.Errorf("host %q", lines[len(lines)-1].Host)
	}
}

func TestContributionMalformed(t *testing.T) {
	s := MustOpen(t)
	for _, tt := range []struct {
		field string
		r     terminal.HostRequest
	}{
		{"contribution", terminal.HostRequest{Trace: "T0001-000001", Service: terminal.SvcContribution, Amount: "1.00"}},
		{"amount", contribution("T0001-000001", "-1.00", member("medical", 2027, idHead, "400.00"))},
		{"contribution.scheme", contribution("T0001-000001", "1.00", member("dental", 2027, idHead, "400.00"))},
		{"contribution.id_number", contribution("T0001-000001", "1.00", member("medical", 2027, "41152319800101123", "400.00"))},
		{"contribution.grade", contribution("T0001-000001", "1.00", member("medical", 2027, idHead, "0.00"))},
	} {
		_, err := s.Send(context.Background(), tt.r)
		var re *hostsim.RequestError
		if !errors.As(err, &re) || re.Field != tt.field {
			t.Errorf("%s: err = %v", tt.field, err)
		}
	}
	if err := s.SetFaults(hostsim.Fault{Target: "social", Mode: hostsim.FaultDown}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupContribution(context.Background(), member("medical", 2027, idHead, "400.00")); !errors.Is(err, terminal.ErrUnreachable) {
		t.Errorf("lookup with the social host down: %v", err)
	}
}
