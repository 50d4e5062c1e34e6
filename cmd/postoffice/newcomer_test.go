package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingFlagIsNamed: a command without a flag it needs names the
// flag as missing, and does not look into a folder with an empty name.
func TestMissingFlagIsNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "po")
	env := map[string]string{"POSTOFFICE_PASSPHRASE": "post office passphrase"}
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"dir", []string{"init", "--name", "xinyang-postoffice"}},
		{"name", []string{"init", "--dir", dir}},
		{"dir", []string{"key"}},
		{"dir", []string{"enrol", "--station", "T0001", "--pubkey", "T0001+00000000+AAAA", "--franchisee", "王秀英", "--deposit", "20000.00", "--tariff", "t.signed"}},
		{"station", []string{"enrol", "--dir", dir}},
		{"dir", []string{"stations"}},
		{"dir", []string{"import", "day.bms"}},
		{"dir", []string{"tariff", "sign", "tariff.json"}},
		{"month", []string{"statement", "--dir", dir, "--all"}},
		{"date", []string{"reconcile", "--dir", dir, "--host-journal", "j.jsonl"}},
	} {
		t.Run(strings.Join(tc.args[:1], "-")+"-"+tc.flag, func(t *testing.T) {
			r := po(t, env, tc.args...)
			if r.code != exitUsage || !strings.Contains(r.err, "缺少必填选项 --"+tc.flag+"：") || strings.Contains(r.err, "` 里") || strings.HasPrefix(r.err, " 里") {
				t.Errorf("postoffice %s: exit %d %q, want exit %d naming --%s as missing", strings.Join(tc.args, " "), r.code, r.err, exitUsage, tc.flag)
			}
			r = po(t, env, append([]string{"--lang", "en"}, tc.args...)...)
			if !strings.Contains(r.err, "missing required flag --"+tc.flag+":") {
				t.Errorf("postoffice --lang en %s: %q", strings.Join(tc.args, " "), r.err)
			}
		})
	}
}

// TestVersion: postoffice --version prints one line naming the program.
func TestVersion(t *testing.T) {
	r := po(t, nil, "--version")
	if r.code != exitOK || !strings.HasPrefix(r.out, "postoffice ") || strings.Count(r.out, "\n") != 1 {
		t.Errorf("postoffice --version: exit %d %q", r.code, r.out)
	}
}
