package receipts

import (
	"slices"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/internal/textwidth"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		s    string
		cols int
		want []string
	}{
		{"", 32, []string{""}},
		{"伍佰元整", 32, []string{"伍佰元整"}},
		{"受理回执：网络不通，钱已收下。", 10, []string{"受理回执：", "网络不通，", "钱已收下。"}},
		{"已退票，退款已付现金；服务费不退。", 32, []string{"已退票，退款已付现金；服务费不", "退。"}},
		{"The ticket is cancelled and paid", 16, []string{"The ticket is", "cancelled and", "paid"}},
		{"卡号 622848*********0018", 16, []string{"卡号", "622848*********0", "018"}},
		{"户名 欧阳* account", 12, []string{"户名 欧阳*", "account"}},
		{"ABCDEFGHIJ", 4, []string{"ABCD", "EFGH", "IJ"}},
	}
	for _, tt := range tests {
		got := wrap(tt.s, tt.cols)
		if !slices.Equal(got, tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.s, tt.cols, got, tt.want)
		}
		for _, l := range got {
			if textwidth.Width(l) > tt.cols {
				t.Errorf("wrap(%q, %d): %q is too wide", tt.s, tt.cols, l)
			}
		}
	}
}

func TestLabelled(t *testing.T) {
	tests := []struct {
		l    line
		cols int
		want []string
	}{
		{line{"金额", "¥500.00", true}, 32, []string{"金额" + strings.Repeat(" ", 21) + "¥500.00"}},
		{line{"Amount", "¥500.00", true}, 48, []string{"Amount    " + "                               ¥500.00"}},
		{line{"卡号", "622848*********0018", false}, 32, []string{"卡号        622848*********0018"}},
		{line{"行程", "信阳明港 → 广州白云国际机场 T2 航站楼", false}, 32, []string{"行程", "  信阳明港 → 广州白云国际机场 T2", "  航站楼"}},
		{line{"尿素 40袋(50kg)×¥135.00", "¥5,400.00", true}, 32, []string{"尿素 40袋(50kg)×¥135.00", "                       ¥5,400.00"}},
	}
	for _, tt := range tests {
		got := labelled(tt.l, 10, tt.cols)
		if !slices.Equal(got, tt.want) {
			t.Errorf("labelled(%+v, %d) =\n%q, want\n%q", tt.l, tt.cols, got, tt.want)
		}
		for _, l := range got {
			if textwidth.Width(l) > tt.cols {
				t.Errorf("%q is wider than %d", l, tt.cols)
			}
		}
	}
}
