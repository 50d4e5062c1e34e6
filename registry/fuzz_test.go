package registry

import "testing"

// FuzzParseRotation: a rotation note's text is read only in its one
// canonical form, and what is read writes back the same.
func FuzzParseRotation(f *testing.F) {
	f.Add("bianmin-key-rotation-v1\nstation T0001\nnew T0001+1c8f02a4+AcG0\nfrom 213\n")
	f.Add("bianmin-key-rotation-v1\nstation T0001\nnew x\nfrom 0\n")
	f.Fuzz(func(t *testing.T, text string) {
		r, err := parseRotation(text)
		if err != nil {
			return
		}
		if r.RotationText() != text || r.From == 0 {
			t.Fatalf("read %q as %+v", text, r)
		}
	})
}
