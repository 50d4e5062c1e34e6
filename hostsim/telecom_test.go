package hostsim_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/terminal"
)

// iccid is a valid ICCID for card n: 8986, 15 digits from n, the Luhn
// check digit.
func iccid(n int) string {
	body := fmt.Sprintf("8986%015d", n)
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		v := int(body[i] - '0')
		if (len(body)-i)%2 == 1 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

// simSale is the registration of card n (number 1381234000n) to id.
func simSale(trace, carrier string, n int, holder, id string) terminal.HostRequest {
	return terminal.HostRequest{Trace: trace, Terminal: "T0001", Service: terminal.SvcSIMSale, Amount: "50.00",
		SIM: &terminal.SIMDetails{Carrier: carrier, Plan: "cmcc-39", Number: fmt.Sprintf("138123%05d", n), ICCID: iccid(n), Holder: holder, IDNumber: id}}
}

func TestSIMSaleRules(t *testing.T) {
	tests := []struct {
		name string
		id   string
		code string
	}{
		{"approved", testID, hostsim.CodeApproved},
		{"ErrBlacklisted", "411523198001010004", hostsim.CodeBlacklisted},
		{"ErrNameMismatch", "411523198001011111", hostsim.CodeNameMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			rep := s.send(t, simSale(s.trace(), "china-mobile", 1, "王秀英", tt.id))
			if tt.code != hostsim.CodeApproved {
				wantStatus(t, "registration", rep, terminal.StatusDeclined, tt.code)
				return
			}
			wantStatus(t, "registration", rep, terminal.StatusApproved, hostsim.CodeApproved)
			if !regexp.MustCompile(`^RN2026[0-9]{12}$`).MatchString(rep.Reference) || rep.Amount != "50.00" {
				t.Errorf("registration %q amount %q", rep.Reference, rep.Amount)
			}
		})
	}
}

// TestSIMFivePerPerson: a sixth number with the same carrier is declined,
// another carrier's is not, and a reversed registration frees a place and
// the number.
func TestSIMFivePerPerson(t *testing.T) {
	s := MustOpen(t)
	var traces []string
	for n := 1; n <= 5; n++ {
		tr := s.trace()
		wantStatus(t, fmt.Sprintf("card %d", n), s.send(t, simSale(tr, "china-mobile", n, "王秀英", testID)), terminal.StatusApproved, hostsim.CodeApproved)
		traces = append(traces, tr)
	}
	sixth := s.send(t, simSale(s.trace(), "china-mobile", 6, "王秀英", testID))
	wantStatus(t, "sixth card", sixth, terminal.StatusDeclined, hostsim.CodeTooManySIMs)
	if !strings.Contains(sixth.Reason, "5") {
		t.Errorf("reason %q does not say how many", sixth.Reason)
	}
	wantStatus(t, "another person", s.send(t, simSale(s.trace(), "china-mobile", 6, "李四", "411523198001012018")), terminal.StatusApproved, hostsim.CodeApproved)
	wantStatus(t, "another carrier", s.send(t, simSale(s.trace(), "china-unicom", 7, "王秀英", testID)), terminal.StatusApproved, hostsim.CodeApproved)
	wantStatus(t, "a number registered already", s.send(t, simSale(s.trace(), "china-mobile", 1, "李四", "411523198001012018")), terminal.StatusDeclined, hostsim.CodeNumberTaken)

	// A reversal cancels the registration: the number is free and the
	// person holds four.
	if rep := s.reverse(t, traces[0]); rep.Status != terminal.StatusReversed {
		t.Fatalf("reverse: %+v", rep)
	}
	if st := s.status(t, traces[0]); st.Status != terminal.StatusReversed {
		t.Fatalf("status after reverse: %+v", st)
	}
	s.reopen(t) // the journal replays the same state
	wantStatus(t, "number 1 again, after the reversal", s.send(t, simSale(s.trace(), "china-mobile", 1, "王秀英", testID)), terminal.StatusApproved, hostsim.CodeApproved)
	wantStatus(t, "then a sixth again", s.send(t, simSale(s.trace(), "china-mobile", 8, "王秀英", testID)), terminal.StatusDeclined, hostsim.CodeTooManySIMs)
}

// TestSIMJournalMasks: the journal holds the ICCID, name and ID masked.
func TestSIMJournalMasks(t *testing.T) {
	s := MustOpen(t)
	r := simSale(s.trace(), "china-mobile", 1, "王秀英", testID)
	s.send(t, r)
	raw, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	b := string(raw)
	for _, secret := range []string{r.SIM.ICCID, testID, "秀英"} {
		if strings.Contains(b, secret) {
			t.Errorf("the journal holds %q:\n%s", secret, b)
		}
	}
	if !strings.Contains(b, `"host":"telecom"`) || !strings.Contains(b, `"number":"13812300001"`) {
		t.Errorf("journal:\n%s", b)
	}
}

func TestSIMSaleMalformed(t *testing.T) {
	tests := []struct {
		name, field string
		change      func(r *terminal.HostRequest)
	}{
		{"no card", "sim", func(r *terminal.HostRequest) { r.SIM = nil }},
		{"no price", "amount", func(r *terminal.HostRequest) { r.Amount = "" }},
		{"carrier", "sim.carrier", func(r *terminal.HostRequest) { r.SIM.Carrier = "rail" }},
		{"number", "sim.number", func(r *terminal.HostRequest) { r.SIM.Number = "1381234" }},
		{"iccid", "sim.iccid", func(r *terminal.HostRequest) { r.SIM.ICCID = r.SIM.ICCID[:19] + string('0'+(r.SIM.ICCID[19]-'0'+1)%10) }},
		{"holder", "sim.holder", func(r *terminal.HostRequest) { r.SIM.Holder = "" }},
		{"id", "sim.id_number", func(r *terminal.HostRequest) { r.SIM.IDNumber = "41152319800101" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			r := simSale(s.trace(), "china-mobile", 1, "王秀英", testID)
			tt.change(&r)
			_, err := s.Send(context.Background(), r)
			var re *hostsim.RequestError
			if !errors.As(err, &re) || re.Field != tt.field {
				t.Fatalf("err = %v, want a RequestError on %s", err, tt.field)
			}
		})
	}
}
