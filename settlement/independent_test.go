package settlement_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestIndependentVerifier runs docs/verifier/bmverify.py, the verifier
// written in Python from the format pages alone, over every conformance
// vector: the pages must be enough to reach the same verdicts as this
// code. Skipped where there is no python3.
func TestIndependentVerifier(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on this machine")
	}
	out, err := exec.Command(py, "../docs/verifier/bmverify.py").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), " vectors as expected") || strings.Contains(string(out), "FAIL") {
		t.Errorf("%s", out)
	}
}
