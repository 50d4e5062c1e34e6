package idcheck

// Fields an InputError can name.
const (
	FieldCard = "card" // a bank card number (Card)
	FieldID   = "id"   // a resident identity number (ResidentID)
)

// Rules a number can break; InputError.Rule holds one of them.
const (
	RuleEmpty      = "empty"       // nothing was typed
	RuleDigits     = "digits"      // a character that is not a digit (for an ID, X only as the last character)
	RuleLength     = "length"      // too few or too many characters
	RuleCheckDigit = "check_digit" // the check digit does not match the other digits
	RuleBirthDate  = "birth_date"  // an ID's birth date is not a real date, before 1900 or in the future
	RuleRegion     = "region"      // an ID's first two digits are not a province code
)

// InputError says which field breaks which rule, in English and plain Chinese.
//
// It deliberately does not carry the number that was typed, so that an
// error that ends up in a log or on the screen never reveals a card or ID
// number.
type InputError struct {
	Field string // FieldCard or FieldID
	Rule  string // one of the Rule constants
}

// Error returns a one-line English message naming the field, the rule broken
// and what to do, e.g.
// "card: the check digit is wrong; check the card number and type it again".
func (e *InputError) Error() string {
	name := e.Field + " number"
	switch e.Field {
	case FieldCard:
		name = "card number"
	case FieldID:
		name = "ID number"
	}
	var msg string
	switch e.Rule {
	case RuleEmpty:
		msg = "nothing typed; type the " + name
	case RuleDigits:
		if e.Field == FieldID {
			msg = "only digits are allowed, and X only as the last character; check the ID number and type it again"
		} else {
			msg = "only digits are allowed; check the " + name + " and type it again"
		}
	case RuleLength:
		switch e.Field {
		case FieldCard:
			msg = "a card number has 16 to 19 digits; check the card number and type it again"
		case FieldID:
			msg = "an ID number has 18 characters; check the ID number and type it again"
		default:
			msg = "wrong number of digits; check the " + name + " and type it again"
		}
	case RuleCheckDigit:
		msg = "the check digit is wrong; check the " + name + " and type it again"
	case RuleBirthDate:
		msg = "the birth date (characters 7 to 14) is not a real date or is in the future; check the ID number and type it again"
	case RuleRegion:
		msg = "the first two digits are not a province code; check the ID number and type it again"
	default:
		msg = "breaks rule " + e.Rule + "; check the " + name + " and type it again"
	}
	return e.Field + ": " + msg
}

// Zh returns the message in plain Chinese for the shopkeeper: it names the
// field and says what to do, e.g. "卡号校验位不对，请核对卡号后重新输入".
func (e *InputError) Zh() string {
	name := e.Field
	switch e.Field {
	case FieldCard:
		name = "卡号"
	case FieldID:
		name = "身份证号码"
	}
	switch e.Rule {
	case RuleEmpty:
		return name + "没有填写，请输入" + name
	case RuleDigits:
		if e.Field == FieldID {
			return name + "只能是数字，最后一位可以是X，请核对" + name + "后重新输入"
		}
		return name + "只能是数字，请核对" + name + "后重新输入"
	case RuleLength:
		switch e.Field {
		case FieldCard:
			return "卡号应为16到19位数字，请核对卡号后重新输入"
		case FieldID:
			return "身份证号码应为18位，请核对身份证号码后重新输入"
		}
		return name + "位数不对，请核对" + name + "后重新输入"
	case RuleCheckDigit:
		return name + "校验位不对，请核对" + name + "后重新输入"
	case RuleBirthDate:
		return name + "中的出生日期（第7到14位）不对，请核对" + name + "后重新输入"
	case RuleRegion:
		return name + "前两位不是有效的省份代码，请核对" + name + "后重新输入"
	}
	return name + "输入有误，请核对" + name + "后重新输入"
}
