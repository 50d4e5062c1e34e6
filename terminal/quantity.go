package terminal

import (
	"strconv"
	"strings"
)

// ParseQuantity reads a whole number of units typed for field, such as
// the quantity of an item sold or counted.
func ParseQuantity(field, s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, &InputError{Field: field, Rule: "a whole number of units, like 2", RuleZh: "要写整数，例如 2"}
	}
	return n, nil
}
