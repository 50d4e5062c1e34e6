package tariff

import (
	"fmt"
	"strings"
)

// AccountRule says what a biller's customer account numbers look like.
//
//	{"min_digits":10,"max_digits":10,"prefixes":["51"],"example":"5100123456"}
type AccountRule struct {
	MinDigits int      `json:"min_digits"`
	MaxDigits int      `json:"max_digits"`
	Prefixes  []string `json:"prefixes,omitempty"` // the number starts with one of these
	Example   string   `json:"example"`            // shown to the shopkeeper; must pass the rule
}

// AccountError says how an account number breaks its biller's rule.
type AccountError struct {
	Biller, Input, Rule string
}

func (e *AccountError) Error() string {
	return fmt.Sprintf("account number %q for %s: %s", e.Input, e.Biller, e.Rule)
}

// CheckAccount normalises an account number a person typed (full-width
// digits, spaces and dashes) and checks it against the biller's rule.
func (b Biller) CheckAccount(input string) (string, error) {
	acct, err := b.Account.match(input)
	if err != nil {
		return "", &AccountError{Biller: b.Name, Input: input, Rule: err.Error()}
	}
	return acct, nil
}

func (r AccountRule) match(input string) (string, error) {
	var sb strings.Builder
	for _, c := range input {
		switch {
		case c >= '0' && c <= '9':
			sb.WriteRune(c)
		case c >= '０' && c <= '９':
			sb.WriteRune('0' + (c - '０'))
		case c == ' ' || c == '-' || c == '\u3000':
		default:
			return "", fmt.Errorf("only digits, like %s", r.Example)
		}
	}
	acct := sb.String()
	if len(acct) < r.MinDigits || len(acct) > r.MaxDigits {
		if r.MinDigits == r.MaxDigits {
			return "", fmt.Errorf("must be %d digits, like %s", r.MinDigits, r.Example)
		}
		return "", fmt.Errorf("must be %d to %d digits, like %s", r.MinDigits, r.MaxDigits, r.Example)
	}
	if len(r.Prefixes) > 0 {
		ok := false
		for _, p := range r.Prefixes {
			ok = ok || strings.HasPrefix(acct, p)
		}
		if !ok {
			return "", fmt.Errorf("must start with %s, like %s", strings.Join(r.Prefixes, " or "), r.Example)
		}
	}
	return acct, nil
}

func (r AccountRule) check(field string) error {
	switch {
	case r.MinDigits < 1 || r.MaxDigits > 32 || r.MinDigits > r.MaxDigits:
		return &Error{Field: field + ".min_digits", Rule: "digits between 1 and 32, min not above max"}
	case r.Example == "":
		return &Error{Field: field + ".example", Rule: "missing: an example number shows the shopkeeper the form"}
	}
	for i, p := range r.Prefixes {
		if _, err := (AccountRule{MinDigits: 1, MaxDigits: 32, Example: p}).match(p); err != nil || p == "" {
			return &Error{Field: fmt.Sprintf("%s.prefixes[%d]", field, i), Rule: "digits only"}
		}
	}
	if _, err := r.match(r.Example); err != nil {
		return &Error{Field: field + ".example", Rule: "the example breaks its own rule: " + err.Error()}
	}
	return nil
}
