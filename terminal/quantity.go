package terminal

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseQuantity reads a whole number of units typed for field, such as
// the quantity of an item sold (min 1) or counted (min 0). A number below
// min is refused with a rule that says the least that can be written, not
// that it must be a whole number (it is one).
func ParseQuantity(field, s string, min int64) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, &InputError{Field: field, Rule: "a whole number of units, like 2", RuleZh: "要写整数，例如 2"}
	}
	if n < min {
		return 0, &InputError{Field: field, Rule: fmt.Sprintf("at least %d", min), RuleZh: fmt.Sprintf("至少要写 %d，不能比 %d 小", min, min)}
	}
	return n, nil
}
