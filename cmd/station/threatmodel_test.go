package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestThreatModelNamesRealTests: every test docs/threat-model.md names
// as the proof that an attack fails exists in the package it names, so
// the document cannot go on citing a test that was renamed or removed.
func TestThreatModelNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../docs/threat-model.md")
	if err != nil {
		t.Fatal(err)
	}
	// A citation is `package` `TestA`, `TestB`; ... up to the next package.
	cite := regexp.MustCompile("`([a-z][a-z/]*)`((?:[ ,]+`(?:Test|Fuzz)[A-Za-z0-9_]+`)+)")
	name := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`")
	cited := 0
	for _, m := range cite.FindAllStringSubmatch(string(doc), -1) {
		pkg := m[1]
		files, _ := filepath.Glob(filepath.Join("..", "..", filepath.FromSlash(pkg), "*_test.go"))
		if len(files) == 0 {
			t.Errorf("the threat model cites package %s, which has no tests", pkg)
			continue
		}
		var src strings.Builder
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src.Write(b)
		}
		for _, n := range name.FindAllStringSubmatch(m[2], -1) {
			cited++
			if !regexp.MustCompile(`(?m)^func ` + n[1] + `\(`).MatchString(src.String()) {
				t.Errorf("the threat model cites %s in %s, which has no such test", n[1], pkg)
			}
		}
	}
	if cited < 40 {
		t.Errorf("found only %d cited tests: has the citation form changed?", cited)
	}
}
