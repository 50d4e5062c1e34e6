package settlement

import "testing"

// TestKindNames: every kind the Chinese names has an English name too.
func TestKindNames(t *testing.T) {
	for k := range kindZh {
		if _, ok := kindEn[k]; !ok {
			t.Errorf("kind %s has no English name", k)
		}
		if KindName(k, "zh") != kindZh[k] {
			t.Errorf("kind %s: %q", k, KindName(k, "zh"))
		}
	}
	for k := range kindEn {
		if _, ok := kindZh[k]; !ok {
			t.Errorf("kind %s has an English name only", k)
		}
	}
}
