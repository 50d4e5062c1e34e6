// Package toolcheck finds the outside programs some tests need (hledger,
// pdftotext, chromium). Where one is missing a test skips with a message
// saying how to install it, except under CI=true, where it fails: CI must
// prove the project installs what its tests need.
package toolcheck

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of program, or stops the test: it fails under
// CI=true and skips elsewhere. debian names the package that provides it.
func Require(tb testing.TB, program, debian string) string {
	tb.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	msg := program + " is not installed; ./test.sh installs it (Debian package " + debian + ")"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}
