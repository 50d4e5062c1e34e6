package idcheck_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/villagepost/bianmin/idcheck"
)

// testLuhnOK is the test's own Luhn check, written apart from the package's:
// it walks from the left and works out which digits are doubled from the
// parity of the length.
func testLuhnOK(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[i] - '0')
		if (len(s)-i)%2 == 0 {
			d *= 2
			d = d/10 + d%10
		}
		sum += d
	}
	return sum%10 == 0
}

// testLuhnComplete appends the check digit to payload by trying all ten.
func testLuhnComplete(t testing.TB, payload string) string {
	t.Helper()
	for c := byte('0'); c <= '9'; c++ {
		if s := payload + string(c); testLuhnOK(s) {
			return s
		}
	}
	t.Fatalf("no Luhn check digit for %q", payload)
	return ""
}

// testIDCheck is the test's own GB 11643-1999 check: the weights are worked
// out as 2^(17-i) mod 11 and the check value as (12 - sum mod 11) mod 11,
// with 10 written X.
func testIDCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for k := 0; k < 17-i; k++ {
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return 'X'
	}
	return byte('0' + v)
}

// validID completes 17 digits with their check character.
func validID(first17 string) string { return first17 + string(testIDCheck(first17)) }

// wrongCheck replaces the last character of id by a different check character.
func wrongCheck(id string) string {
	c := id[len(id)-1]
	for _, w := range "0123456789X" {
		if byte(w) != c {
			return id[:len(id)-1] + string(w)
		}
	}
	panic("unreachable")
}

var today = time.Date(2025, 6, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func wantRule(t *testing.T, call string, err error, field, rule string) {
	t.Helper()
	var e *idcheck.InputError
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v (%T), want *InputError %s/%s", call, err, err, field, rule)
	}
	if e.Field != field || e.Rule != rule {
		t.Errorf("%s: %s/%s, want %s/%s", call, e.Field, e.Rule, field, rule)
	}
}

func TestNormalizeDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"6228480402564890018", "6228480402564890018"},
		{"６２２８４８０４０２５６４８９００１８", "6228480402564890018"},
		{"6228 4804 0256 4890 018", "6228480402564890018"},
		{"6228\u30004804-0256－4890 018", "6228480402564890018"},
		{" 1-2 ", "12"},
		{"12a3", "12a3"},
		{"11010519491231002x", "11010519491231002x"},
		{"１\t２", "1\t2"},
	}
	for _, tt := range tests {
		if got := idcheck.NormalizeDigits(tt.in); got != tt.want {
			t.Errorf("NormalizeDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTestDataIsValid(t *testing.T) {
	for _, c := range []string{"6228480402564890018", "4111111111111111", "6222020200112233446", "6217001234567890122"} {
		if !testLuhnOK(c) {
			t.Errorf("test card %s fails the test's own Luhn check", c)
		}
	}
	if got := validID("11010519491231002"); got != "11010519491231002X" {
		t.Errorf("test ID helper: validID(11010519491231002) = %s, want the known 11010519491231002X", got)
	}
}

func TestCard(t *testing.T) {
	nineteen := testLuhnComplete(t, "621700123456789012")
	sixteen := testLuhnComplete(t, "622202020011223")
	tests := []struct {
		in, want, rule string
	}{
		{"6228480402564890018", "6228480402564890018", ""},
		{"4111111111111111", "4111111111111111", ""},
		{"6222020200112233446", "6222020200112233446", ""},
		{nineteen, nineteen, ""},
		{sixteen, sixteen, ""},
		{"６２２８４８０４０２５６４８９００１８", "6228480402564890018", ""},
		{"6228 4804 0256 4890 018", "6228480402564890018", ""},
		{"6228-4804-0256-4890-018", "6228480402564890018", ""},
		{"\u30004111\u30001111\u30001111\u30001111\u3000", "4111111111111111", ""},
		{"４１１１ １１１１－１１１１ １１１１", "4111111111111111", ""},

		{"", "", idcheck.RuleEmpty},
		{"   ", "", idcheck.RuleEmpty},
		{"\u3000-\u3000", "", idcheck.RuleEmpty},

		{"411111111111111a", "", idcheck.RuleDigits},
		{"4111.1111.1111.1111", "", idcheck.RuleDigits},
		{"４１１１ｘ", "", idcheck.RuleDigits},
		{"4111111111111111\n", "", idcheck.RuleDigits},
		{"٤١١١١١١١١١١١١١١١", "", idcheck.RuleDigits}, // Arabic-Indic digits
		{"+4111111111111111", "", idcheck.RuleDigits},
		{"4111\xff111111111111", "", idcheck.RuleDigits},

		{"411111111111111", "", idcheck.RuleLength},      // 15 digits
		{"42424242424242", "", idcheck.RuleLength},       // 14 digits, Luhn-valid
		{"1", "", idcheck.RuleLength},                    // one digit
		{"62284804025648900180", "", idcheck.RuleLength}, // 20 digits
		{testLuhnComplete(t, strings.Repeat("1", 19)), "", idcheck.RuleLength},

		{"6228480402564890019", "", idcheck.RuleCheckDigit},
		{"4111111111111112", "", idcheck.RuleCheckDigit},
		{"6228480402564980018", "", idcheck.RuleCheckDigit}, // two digits swapped
		{"6228 4804 0256 4890 010", "", idcheck.RuleCheckDigit},
	}
	for _, tt := range tests {
		got, err := idcheck.Card(tt.in)
		if tt.rule == "" {
			if err != nil || got != tt.want {
				t.Errorf("Card(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if got != "" {
			t.Errorf("Card(%q) = %q with an error, want \"\"", tt.in, got)
		}
		wantRule(t, "Card("+strconv.Quote(tt.in)+")", err, idcheck.FieldCard, tt.rule)
	}
}

func TestResidentID(t *testing.T) {
	gz := validID("44010619900307123")
	leap := validID("51012920000229004")
	born1900 := validID("65010219000101001")
	bornToday := validID("11010520250615003")
	foreign := validID("91000019800101002")
	endsX := "11010519491231002X"
	// Find a number ending in X for a second region, to test the lower case.
	var endsX2 string
	for seq := 100; seq < 200; seq++ {
		if id := validID("44010619900307" + strconv.Itoa(seq)); id[17] == 'X' {
			endsX2 = id
			break
		}
	}
	if endsX2 == "" {
		t.Fatal("no 44010619900307nnnX found")
	}
	low := strings.ToLower(endsX2)

	tests := []struct {
		in, want, rule string
	}{
		{endsX, endsX, ""},
		{"11010519491231002x", endsX, ""},
		{"11010519491231002ｘ", endsX, ""},
		{"11010519491231002Ｘ", endsX, ""},
		{low, endsX2, ""},
		{gz, gz, ""},
		{leap, leap, ""},
		{born1900, born1900, ""},
		{bornToday, bornToday, ""},
		{foreign, foreign, ""},
		{"110105 19491231 002X", endsX, ""},
		{"１１０１０５１９４９１２３１００２Ｘ", endsX, ""},
		{"110105-19491231-002x", endsX, ""},

		{"", "", idcheck.RuleEmpty},
		{" \u3000 ", "", idcheck.RuleEmpty},

		{"1101051949123100X2", "", idcheck.RuleDigits}, // X not last
		{"X", "", idcheck.RuleLength},                  // X alone: the characters are fine, the length is not
		{"11010519491231002Y", "", idcheck.RuleDigits},
		{"1101051949l231002X", "", idcheck.RuleDigits}, // letter l for 1
		{"11010519491231002XX", "", idcheck.RuleDigits},
		{"11010519491231002X\n", "", idcheck.RuleDigits},

		{"11010519491231002", "", idcheck.RuleLength},   // check char missing
		{"1101051949123102X", "", idcheck.RuleLength},   // a digit missing
		{"110105194912310021X", "", idcheck.RuleLength}, // a digit too many
		{"110105491231002", "", idcheck.RuleLength},     // old 15-digit number

		{validID("99010519491231002"), "", idcheck.RuleRegion},
		{validID("00010519491231002"), "", idcheck.RuleRegion},
		{validID("16010519491231002"), "", idcheck.RuleRegion},
		{validID("72010519491231002"), "", idcheck.RuleRegion},
		{validID("84010519491231002"), "", idcheck.RuleRegion},

		{validID("11010519990230002"), "", idcheck.RuleBirthDate}, // 1999-02-30
		{validID("11010519990229002"), "", idcheck.RuleBirthDate}, // 1999 is no leap year
		{validID("11010519000229002"), "", idcheck.RuleBirthDate}, // nor is 1900
		{validID("11010519991301002"), "", idcheck.RuleBirthDate}, // month 13
		{validID("11010519990001002"), "", idcheck.RuleBirthDate}, // month 0
		{validID("11010519990100002"), "", idcheck.RuleBirthDate}, // day 0
		{validID("11010519990431002"), "", idcheck.RuleBirthDate}, // April 31
		{validID("11010518991231002"), "", idcheck.RuleBirthDate}, // before 1900
		{validID("11010520250616002"), "", idcheck.RuleBirthDate}, // tomorrow
		{validID("11010520300101002"), "", idcheck.RuleBirthDate}, // future

		{"110105194912310021", "", idcheck.RuleCheckDigit},
		{wrongCheck(gz), "", idcheck.RuleCheckDigit},
		{wrongCheck(leap), "", idcheck.RuleCheckDigit},
		{"11010519491231003X", "", idcheck.RuleCheckDigit}, // sequence digit mistyped
	}
	for _, tt := range tests {
		got, err := idcheck.ResidentID(tt.in, today)
		if tt.rule == "" {
			if err != nil || got != tt.want {
				t.Errorf("ResidentID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if got != "" {
			t.Errorf("ResidentID(%q) = %q with an error, want \"\"", tt.in, got)
		}
		wantRule(t, "ResidentID("+strconv.Quote(tt.in)+")", err, idcheck.FieldID, tt.rule)
	}
}

func TestResidentIDAllRegions(t *testing.T) {
	valid := map[int]bool{71: true, 81: true, 82: true, 83: true, 91: true}
	for _, r := range [][2]int{{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}} {
		for p := r[0]; p <= r[1]; p++ {
			valid[p] = true
		}
	}
	for p := 0; p <= 99; p++ {
		id := validID(strconv.Itoa(p/10) + strconv.Itoa(p%10) + "010519800101001")
		_, err := idcheck.ResidentID(id, today)
		if valid[p] && err != nil {
			t.Errorf("region %02d: %v, want accepted", p, err)
		}
		if !valid[p] {
			wantRule(t, "region "+strconv.Itoa(p), err, idcheck.FieldID, idcheck.RuleRegion)
		}
	}
}

func TestResidentIDToday(t *testing.T) {
	id := validID("11010520250615003")
	// The birth date is compared with the date in today's own location:
	// 2025-06-14 23:30 in UTC is already 2025-06-15 in Beijing.
	utc := time.Date(2025, 6, 14, 23, 30, 0, 0, time.UTC)
	if _, err := idcheck.ResidentID(id, utc); err == nil {
		t.Errorf("ResidentID(%s, %v) accepted a birth date after today", id, utc)
	}
	if _, err := idcheck.ResidentID(id, utc.In(time.FixedZone("CST", 8*3600))); err != nil {
		t.Errorf("ResidentID(%s, Beijing time) = %v, want accepted", id, err)
	}
	// A zero time is year 1: every birth date is in the future.
	_, err := idcheck.ResidentID("11010519491231002X", time.Time{})
	wantRule(t, "ResidentID with zero today", err, idcheck.FieldID, idcheck.RuleBirthDate)
}

func TestMaskCard(t *testing.T) {
	tests := []struct{ in, want string }{
		{"6228480402561234", "622848******1234"},
		{"6228480402564890018", "622848*********0018"},
		{"4111111111111111", "411111******1111"},
		{"62284804025648900", "622848*******8900"},
		{"62284804025648900181234", "622848*************1234"}, // longer than a card: still the ends
		{"", ""},
		{"1", "*"},
		{"123456789", "*********"},
		{"1234567890", "**********"},           // would be all shown as 6 + 4
		{"411111111111111", "***************"}, // 15: too short for a card
		{"６２２８４８０４０２５６１２３４", "６２２８４８******１２３４"}, // runes, not bytes
	}
	for _, tt := range tests {
		got := idcheck.MaskCard(tt.in)
		if got != tt.want {
			t.Errorf("MaskCard(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.in) {
			t.Errorf("MaskCard(%q) = %q changes the length", tt.in, got)
		}
	}
}

func TestMaskID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"440106199003071234", "4401**********1234"},
		{"11010519491231002X", "1101**********002X"},
		{"", ""},
		{"1234", "****"},
		{"12345678", "********"},
		{"11010519491231002", "*****************"}, // 17: too short for an ID
		{"110105194912310021X", "1101***********021X"},
	}
	for _, tt := range tests {
		got := idcheck.MaskID(tt.in)
		if got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.in) {
			t.Errorf("MaskID(%q) = %q changes the length", tt.in, got)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张*"},
		{"李小龙", "李**"},
		{"欧阳娜娜", "欧***"},
		{"王", "王"},
		{"", ""},
		{"  ", ""},
		{" 张三\u3000", "张*"},
		{"买买提·艾力", "买*****"},
		{"Li Lei", "L*****"},
	}
	for _, tt := range tests {
		if got := idcheck.MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCardKey(t *testing.T) {
	k1 := []byte("0123456789abcdef0123456789abcdef")
	k2 := []byte("0123456789abcdef0123456789abcdeF")
	card := "6228480402564890018"
	a := idcheck.CardKey(k1, card)
	if len(a) != 32 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("CardKey = %q, want 32 lower-case hex characters", a)
	}
	if b := idcheck.CardKey(k1, card); b != a {
		t.Errorf("CardKey not stable: %s then %s", a, b)
	}
	if b := idcheck.CardKey(k2, card); b == a {
		t.Errorf("CardKey same under two keys: %s", a)
	}
	if b := idcheck.CardKey(k1, "4111111111111111"); b == a {
		t.Errorf("CardKey same for two cards: %s", a)
	}
	if b := idcheck.CardKey(k1, "6228 4804 0256 4890 018"); b != a {
		t.Errorf("CardKey of the spaced card = %s, want %s as for the normalised one", b, a)
	}
	// Fixed value: HMAC-SHA-256(k1, card), first 16 bytes. Changing it
	// would lose every per-card count a station keeps.
	const want = "7866c5618c22f074d362867b7796f347" // computed independently with Python hmac
	if a != want {
		t.Errorf("CardKey(k1, %s) = %s, want %s", card, a, want)
	}
}

func TestCardKeyShortKey(t *testing.T) {
	for _, key := range [][]byte{nil, {}, []byte("fifteen bytes!!")} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("CardKey with a %d-byte key did not panic", len(key))
				}
			}()
			idcheck.CardKey(key, "4111111111111111")
		}()
	}
}

func TestMessages(t *testing.T) {
	tests := []struct{ field, rule, en, zh string }{
		{idcheck.FieldCard, idcheck.RuleCheckDigit,
			"card: the check digit is wrong; check the card number and type it again",
			"卡号校验位不对，请核对卡号后重新输入"},
		{idcheck.FieldCard, idcheck.RuleEmpty,
			"card: nothing typed; type the card number",
			"卡号没有填写，请输入卡号"},
		{idcheck.FieldCard, idcheck.RuleLength,
			"card: a card number has 16 to 19 digits; check the card number and type it again",
			"卡号应为16到19位数字，请核对卡号后重新输入"},
		{idcheck.FieldID, idcheck.RuleCheckDigit,
			"id: the check digit is wrong; check the ID number and type it again",
			"身份证号码校验位不对，请核对身份证号码后重新输入"},
		{idcheck.FieldID, idcheck.RuleBirthDate,
			"id: the birth date (characters 7 to 14) is not a real date or is in the future; check the ID number and type it again",
			"身份证号码中的出生日期（第7到14位）不对，请核对身份证号码后重新输入"},
	}
	for _, tt := range tests {
		e := &idcheck.InputError{Field: tt.field, Rule: tt.rule}
		if e.Error() != tt.en {
			t.Errorf("Error() = %q\nwant      %q", e.Error(), tt.en)
		}
		if e.Zh() != tt.zh {
			t.Errorf("Zh() = %q\nwant   %q", e.Zh(), tt.zh)
		}
	}
	// Every rule has its own one-line message for both fields.
	rules := []string{idcheck.RuleEmpty, idcheck.RuleDigits, idcheck.RuleLength, idcheck.RuleCheckDigit, idcheck.RuleBirthDate, idcheck.RuleRegion}
	for _, field := range []string{idcheck.FieldCard, idcheck.FieldID} {
		zhName := map[string]string{idcheck.FieldCard: "卡号", idcheck.FieldID: "身份证号码"}[field]
		seen := map[string]bool{}
		for _, rule := range rules {
			if field == idcheck.FieldCard && (rule == idcheck.RuleBirthDate || rule == idcheck.RuleRegion) {
				continue
			}
			e := &idcheck.InputError{Field: field, Rule: rule}
			en, zh := e.Error(), e.Zh()
			if !strings.HasPrefix(en, field+": ") || strings.Contains(en, "\n") || strings.Contains(en, "breaks rule") {
				t.Errorf("%s/%s: Error() = %q", field, rule, en)
			}
			if !strings.HasPrefix(zh, zhName) || !strings.Contains(zh, "请") || strings.Contains(zh, "\n") || strings.Contains(zh, "有误") {
				t.Errorf("%s/%s: Zh() = %q", field, rule, zh)
			}
			if seen[zh] {
				t.Errorf("%s/%s: Zh() %q repeats another rule's message", field, rule, zh)
			}
			seen[zh] = true
		}
	}
	// An unknown rule still gives a usable message.
	e := &idcheck.InputError{Field: idcheck.FieldCard, Rule: "other"}
	if e.Error() == "" || !strings.HasPrefix(e.Zh(), "卡号") {
		t.Errorf("unknown rule: %q / %q", e.Error(), e.Zh())
	}
}

// The errors never repeat the number, so they are safe to log.
func TestErrorsDoNotShowTheNumber(t *testing.T) {
	card := "6228480402564890019"
	_, err := idcheck.Card(card)
	if err == nil || strings.Contains(err.Error(), "0402564") {
		t.Errorf("Card error %v", err)
	}
	id := "110105194912310021"
	_, err = idcheck.ResidentID(id, today)
	if err == nil || strings.Contains(err.Error(), "19491231") {
		t.Errorf("ResidentID error %v", err)
	}
}
