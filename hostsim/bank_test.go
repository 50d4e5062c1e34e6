package hostsim_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

func TestBankRules(t *testing.T) {
	tests := []struct {
		name        string
		pin, amount string
		status      string
		code        string
		balance     string // the card's balance afterwards
	}{
		{"approved", testPIN, "500.00", terminal.StatusApproved, hostsim.CodeApproved, "4500.00"},
		{"the whole balance", testPIN, "5000.00", terminal.StatusApproved, hostsim.CodeApproved, "0.00"},
		{"ErrWrongPIN", hostsim.WrongPIN, "500.00", terminal.StatusDeclined, hostsim.CodeWrongPIN, "5000.00"},
		{"ErrInsufficientFunds", testPIN, "5000.01", terminal.StatusDeclined, hostsim.CodeNoFunds, "5000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			r := withdrawal(s.trace(), tt.amount)
			r.PIN = tt.pin
			rep := s.send(t, r)
			wantStatus(t, "withdrawal", rep, tt.status, tt.code)
			if rep.Trace != r.Trace {
				t.Errorf("reply trace %q, want %q", rep.Trace, r.Trace)
			}
			if tt.status == terminal.StatusApproved {
				if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(rep.AuthCode) || rep.Amount != tt.amount {
					t.Errorf("approved reply %+v: want a 6-digit auth code and amount %s", rep, tt.amount)
				}
			} else if rep.Reason == "" || rep.AuthCode != "" {
				t.Errorf("declined reply %+v: want a reason and no auth code", rep)
			}
			if got := s.balance(t); got != tt.balance {
				t.Errorf("balance %s, want %s", got, tt.balance)
			}
		})
	}
}

func TestBalanceInquiryWrongPIN(t *testing.T) {
	s := MustOpen(t)
	r := inquiry(s.trace())
	r.PIN = hostsim.WrongPIN
	rep := s.send(t, r)
	wantStatus(t, "inquiry", rep, terminal.StatusDeclined, hostsim.CodeWrongPIN)
	if rep.Balance != "" {
		t.Errorf("a declined inquiry gave the balance %s", rep.Balance)
	}
}

func TestCardBalanceOption(t *testing.T) {
	s, err := hostsim.Open("", &hostsim.Options{Now: start, CardBalance: mustWire(t, "100.00")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep, err := s.Send(context.Background(), withdrawal("T1-1", "100.01"))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "withdrawal", rep, terminal.StatusDeclined, hostsim.CodeNoFunds)
}

func TestWithdrawalsAddUp(t *testing.T) {
	s := MustOpen(t)
	for _, a := range []string{"1000.00", "999.99", "0.01"} {
		wantStatus(t, "withdrawal "+a, s.send(t, withdrawal(s.trace(), a)), terminal.StatusApproved, hostsim.CodeApproved)
	}
	if got := s.balance(t); got != "3000.00" {
		t.Errorf("balance %s, want 3000.00", got)
	}
}
