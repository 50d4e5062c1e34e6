package idcheck_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/villagepost/bianmin/idcheck"
)

var fuzzKey = []byte("station card key for fuzz tests!")

// checkInputError fails unless err is an *InputError for field with a known
// rule and one-line messages.
func checkInputError(t *testing.T, call string, err error, field string, rules ...string) {
	t.Helper()
	var e *idcheck.InputError
	if !errors.As(err, &e) || e.Field != field {
		t.Fatalf("%s: error %#v, want *InputError for %s", call, err, field)
	}
	known := false
	for _, r := range rules {
		known = known || e.Rule == r
	}
	if !known {
		t.Fatalf("%s: rule %q", call, e.Rule)
	}
	if msg := e.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("%s: bad message %q", call, msg)
	}
	if msg := e.Zh(); msg == "" || strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("%s: bad Zh message %q", call, msg)
	}
}

// checkMask fails unless mask keeps the first head and the last tail
// characters of s and has only '*' between.
func checkMask(t *testing.T, call, s, mask string, head, tail int) {
	t.Helper()
	if len(mask) != len(s) {
		t.Fatalf("%s = %q: length %d, want %d", call, mask, len(mask), len(s))
	}
	if mask[:head] != s[:head] || mask[len(s)-tail:] != s[len(s)-tail:] {
		t.Fatalf("%s = %q: the ends are not those of the number", call, mask)
	}
	if mid := mask[head : len(s)-tail]; strings.Trim(mid, "*") != "" {
		t.Fatalf("%s = %q: the middle shows digits", call, mask)
	}
}

func FuzzCard(f *testing.F) {
	for _, s := range []string{
		"6228480402564890018", "4111111111111111", "6222020200112233446",
		"６２２８４８０４０２５６４８９００１８", "6228 4804 0256 4890 018", "4111-1111-1111-1111",
		"\u30004111\u30001111\u30001111\u30001111", "4111111111111112", "411111111111111",
		"62284804025648900180", "", " ", "-", "411111111111111a", "٤١١١", "4111\xff1111",
		"0000000000000000", strings.Repeat("9", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		// The masks take any string.
		if m := idcheck.MaskCard(in); utf8.RuneCountInString(m) != utf8.RuneCountInString(in) {
			t.Fatalf("MaskCard(%q) = %q changes the length", in, m)
		}
		card, err := idcheck.Card(in)
		if err != nil {
			if card != "" {
				t.Fatalf("Card(%q) = %q with error %v", in, card, err)
			}
			checkInputError(t, "Card", err, idcheck.FieldCard,
				idcheck.RuleEmpty, idcheck.RuleDigits, idcheck.RuleLength, idcheck.RuleCheckDigit)
			return
		}
		if len(card) < 16 || len(card) > 19 || strings.Trim(card, "0123456789") != "" {
			t.Fatalf("Card(%q) = %q: want 16 to 19 ASCII digits", in, card)
		}
		if !testLuhnOK(card) {
			t.Fatalf("Card(%q) = %q fails the test's Luhn check", in, card)
		}
		if again, err := idcheck.Card(card); err != nil || again != card {
			t.Fatalf("Card(Card(%q)) = %q, %v; want %q", in, again, err, card)
		}
		if idcheck.NormalizeDigits(in) != card {
			t.Fatalf("Card(%q) = %q, not the normalised input", in, card)
		}
		checkMask(t, "MaskCard("+card+")", card, idcheck.MaskCard(card), 6, 4)
		k := idcheck.CardKey(fuzzKey, card)
		if len(k) != 32 || strings.Trim(k, "0123456789abcdef") != "" || idcheck.CardKey(fuzzKey, in) != k {
			t.Fatalf("CardKey(%q) = %q, CardKey of the raw input %q", card, k, idcheck.CardKey(fuzzKey, in))
		}
	})
}

func FuzzResidentID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "440106199003071231", "510129200002290043",
		"１１０１０５１９４９１２３１００２Ｘ", "110105 19491231 002X", "110105194912310021",
		"1101051949123100X2", "11010519491231002", "990105194912310025", "110105199902300021",
		"110105203001010021", "", "X", "x", "ｘ", "11010519491231002\xff", "张三",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if m := idcheck.MaskID(in); utf8.RuneCountInString(m) != utf8.RuneCountInString(in) {
			t.Fatalf("MaskID(%q) = %q changes the length", in, m)
		}
		if m := idcheck.MaskName(in); utf8.RuneCountInString(m) > utf8.RuneCountInString(in) {
			t.Fatalf("MaskName(%q) = %q is longer", in, m)
		}
		id, err := idcheck.ResidentID(in, today)
		if err != nil {
			if id != "" {
				t.Fatalf("ResidentID(%q) = %q with error %v", in, id, err)
			}
			checkInputError(t, "ResidentID", err, idcheck.FieldID,
				idcheck.RuleEmpty, idcheck.RuleDigits, idcheck.RuleLength,
				idcheck.RuleCheckDigit, idcheck.RuleBirthDate, idcheck.RuleRegion)
			return
		}
		if len(id) != 18 || strings.Trim(id[:17], "0123456789") != "" || !strings.ContainsRune("0123456789X", rune(id[17])) {
			t.Fatalf("ResidentID(%q) = %q: want 17 digits and a digit or X", in, id)
		}
		if testIDCheck(id[:17]) != id[17] {
			t.Fatalf("ResidentID(%q) = %q fails the test's check", in, id)
		}
		if birth := id[6:14]; birth < "19000101" || birth > "20250615" {
			t.Fatalf("ResidentID(%q) = %q: birth date %s out of range", in, id, birth)
		}
		if again, err := idcheck.ResidentID(id, today); err != nil || again != id {
			t.Fatalf("ResidentID(ResidentID(%q)) = %q, %v; want %q", in, again, err, id)
		}
		checkMask(t, "MaskID("+id+")", id, idcheck.MaskID(id), 4, 4)
	})
}
