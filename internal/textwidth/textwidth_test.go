package textwidth_test

import (
	"testing"

	"github.com/villagepost/bianmin/internal/textwidth"
)

func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"T0001", 5},
		{"助农取款", 8},
		{"¥1,234.50", 9},         // U+00A5 is narrow
		{"￥1,234.50", 10},        // U+FFE5 is full-width
		{"１２３", 6},               // full-width digits
		{"钱箱现金 assets:cash", 20}, // mixed
		{"（示范村）", 10},
	}
	for _, tt := range tests {
		if got := textwidth.Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
	if got := textwidth.PadRight("取款", 6); got != "取款  " {
		t.Errorf("PadRight = %q", got)
	}
	if got := textwidth.PadLeft("¥5.00", 7); got != "  ¥5.00" {
		t.Errorf("PadLeft = %q", got)
	}
}
