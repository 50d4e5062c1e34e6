package hostsim

import (
	"fmt"

	"github.com/villagepost/bianmin/idcheck"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/terminal"
)

// The telecom host: the carriers (中国移动, 中国联通, 中国电信) that consign
// phone-number cards to the stations and register each buyer by real name
// (实名登记).
//
//	sim_sale   SIM = the card (carrier, plan, number, ICCID) and the buyer
//	           (holder, id_number); Amount = the price. Declined
//	             S2  the ID is on the carriers' blacklist: in the simulator,
//	                 an ID whose sequence code (characters 15 to 17) is 000
//	             S3  the name does not match the ID in the identity check:
//	                 in the simulator, an ID whose sequence code is 111
//	             S4  the number is registered already (sold, not reversed)
//	             S1  the person already holds 5 numbers with this carrier
//	           in that order; else approved, Reference = the registration
//	           number ("RN", the year, 12 digits), Amount = the price.
//
// A reversal cancels the registration: the number is free again and no
// longer counts among the person's numbers. The simulator keeps a person
// by the carrier and the masked ID (4115**********1234), which is all its
// journal holds; two people whose IDs mask alike count together.

// maxSIMPerPerson is how many numbers one person may hold with a carrier
// (the national rule for real-name registration).
const maxSIMPerPerson = 5

// registration is a number a carrier registered to a person.
type registration struct {
	details JournalSIM
}

// maskSIM is what the journal holds of a card sale.
func maskSIM(d *terminal.SIMDetails) *JournalSIM {
	return &JournalSIM{
		Carrier: d.Carrier, Plan: d.Plan, Number: d.Number, ICCID: simcard.MaskICCID(d.ICCID),
		Holder: idcheck.MaskName(d.Holder), IDNumber: idcheck.MaskID(d.IDNumber),
	}
}

// personKey is how the simulator tells people apart for the carrier's
// limit.
func personKey(carrier, maskedID string) string { return carrier + "|" + maskedID }

// registrationNumber is a new registration number for trace, unlike every
// other.
func (s *Sim) registrationNumber(trace string) string {
	year := s.today().Format("2006")
	for i := 0; ; i++ {
		n := "RN" + year + digits(12, "registration", trace, fmt.Sprint(i))
		if !s.regNumbers[n] {
			return n
		}
	}
}

// decideTelecom decides a card sale's real-name registration.
func (s *Sim) decideTelecom(l *JournalLine, r terminal.HostRequest) {
	d := r.SIM
	seq := d.IDNumber[14:17] // checkSIM: 18 characters
	switch {
	case seq == "000":
		decline(l, CodeBlacklisted)
	case seq == "111":
		decline(l, CodeNameMismatch)
	case s.simNumbers[d.Number] != nil:
		decline(l, CodeNumberTaken)
	case s.simHeld[personKey(d.Carrier, l.SIM.IDNumber)] >= maxSIMPerPerson:
		decline(l, CodeTooManySIMs)
		l.Reason = fmt.Sprintf("this person already holds %d numbers with %s", maxSIMPerPerson, d.Carrier)
	default:
		approve(l)
		l.Reference = s.registrationNumber(r.Trace)
	}
}

// applyRegistration records the registration an approved line made.
func (s *Sim) applyRegistration(l JournalLine) error {
	if l.SIM == nil || l.Reference == "" {
		return fmt.Errorf("sim_sale %s approved without card details and registration number", l.Trace)
	}
	if s.simNumbers[l.SIM.Number] != nil {
		return fmt.Errorf("number %s registered twice", l.SIM.Number)
	}
	s.simNumbers[l.SIM.Number] = &registration{details: *l.SIM}
	s.regNumbers[l.Reference] = true
	s.simHeld[personKey(l.SIM.Carrier, l.SIM.IDNumber)]++
	return nil
}

// cancelRegistration records a reversal of a registration: the number is
// free again.
func (s *Sim) cancelRegistration(l JournalLine) error {
	if l.SIM == nil {
		return fmt.Errorf("reversal of sim_sale %s without card details", l.Trace)
	}
	reg := s.simNumbers[l.SIM.Number]
	if reg == nil {
		return fmt.Errorf("reversal of sim_sale %s for number %s, which is not registered", l.Trace, l.SIM.Number)
	}
	delete(s.simNumbers, l.SIM.Number)
	s.simHeld[personKey(reg.details.Carrier, reg.details.IDNumber)]--
	return nil
}

// checkSIM checks the structure of a card sale request.
func checkSIM(r terminal.HostRequest) error {
	d := r.SIM
	if d == nil {
		return &RequestError{Field: "sim", Rule: "missing"}
	}
	if _, err := positiveAmount("amount", r.Amount); err != nil {
		return err
	}
	if !oneOf(d.Carrier, simCarriers...) {
		return &RequestError{Field: "sim.carrier", Rule: "want china-mobile, china-unicom or china-telecom"}
	}
	if err := checkText("sim.plan", d.Plan, maxShort, true); err != nil {
		return err
	}
	if n, err := simcard.Number(d.Number); err != nil || n != d.Number {
		return &RequestError{Field: "sim.number", Rule: "want 11 digits, starting 13 to 19"}
	}
	if n, err := simcard.ICCID(d.ICCID); err != nil || n != d.ICCID {
		return &RequestError{Field: "sim.iccid", Rule: "want 19 or 20 digits starting 8986, with its Luhn check digit"}
	}
	if err := checkText("sim.holder", d.Holder, maxShort, true); err != nil {
		return err
	}
	if len(d.IDNumber) != 18 || !allDigits(d.IDNumber[:17]) {
		return &RequestError{Field: "sim.id_number", Rule: "want 18 characters, 17 digits first"}
	}
	return nil
}

// simCarriers are the carriers the telecom host answers for.
var simCarriers = []string{"china-mobile", "china-unicom", "china-telecom"}

// JournalSIM is a card sale as the journal holds it: terminal.SIMDetails
// with the ICCID, the holder's name and ID number masked.
type JournalSIM struct {
	Carrier  string `json:"carrier"`
	Plan     string `json:"plan,omitempty"`
	Number   string `json:"number"`
	ICCID    string `json:"iccid,omitempty"`     // masked: 898600**********1238
	Holder   string `json:"holder,omitempty"`    // masked: 王*
	IDNumber string `json:"id_number,omitempty"` // masked: 4115**********1234
}

// check reports the first field of a journal card that is not valid.
func (j *JournalSIM) check() error {
	bad := func(field, rule string) error { return fmt.Errorf("%s: %s", field, rule) }
	switch {
	case !oneOf(j.Carrier, simCarriers...):
		return bad("sim.carrier", "want china-mobile, china-unicom or china-telecom")
	case textRule(j.Plan, maxShort, false) != "":
		return bad("sim.plan", textRule(j.Plan, maxShort, false))
	case len(j.Number) != 11 || !allDigits(j.Number):
		return bad("sim.number", "want 11 digits")
	case j.ICCID != "" && !simcard.MaskedICCID(j.ICCID):
		return bad("sim.iccid", "not masked (want first 6 and last 4 digits, * between)")
	case j.Holder != "" && !maskedName(j.Holder):
		return bad("sim.holder", "not masked (want the family name, * for the rest)")
	case j.IDNumber != "" && !maskedID(j.IDNumber):
		return bad("sim.id_number", "not masked (want first 4 and last 4, * between)")
	}
	return nil
}
