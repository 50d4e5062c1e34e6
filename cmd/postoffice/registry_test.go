package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputChangesNothing: every refusal names the field or the rule
// and leaves the registry as it was.
func TestBadInputChangesNothing(t *testing.T) {
	dir, env, signed := newPostOffice(t)
	const key = testStationKey
	enrol := func(edit ...string) run {
		args := map[string]string{"--station": "T0001", "--pubkey": key, "--franchisee": "王秀英", "--deposit": "20000.00", "--tariff": signed}
		for i := 0; i < len(edit); i += 2 {
			args[edit[i]] = edit[i+1]
		}
		list := []string{"enrol", "--dir", dir}
		for k, v := range args {
			list = append(list, k, v)
		}
		return po(t, env, list...)
	}
	for _, c := range []struct {
		edit []string
		want string
	}{
		{[]string{"--pubkey", "T0001+abc"}, "pubkey"},
		{[]string{"--deposit", "两万"}, "--deposit"},
		{[]string{"--deposit", "-5"}, "--deposit"},
		{[]string{"--station", "T 1"}, "station"},
		{[]string{"--tariff", strings.TrimSuffix(signed, ".signed") + ".json"}, "--tariff"}, // not signed
	} {
		if r := enrol(c.edit...); r.code == 0 || !strings.Contains(r.err, c.want) {
			t.Errorf("enrol %v: %+v, want a refusal naming %s", c.edit, r, c.want)
		}
	}
	if r := po(t, env, "stations", "--dir", dir); !strings.Contains(r.out, "还没有登记") {
		t.Errorf("a refused enrolment recorded a station:\n%s", r.out)
	}
	if r := enrol(); r.code != 0 || !strings.Contains(r.out, "381A-BB05-2AA1-EC59") {
		t.Fatalf("enrol: %+v", r)
	}

	scenarios := filepath.Join("..", "..", "settlement", "testdata", "scenarios")
	r := po(t, env, "import", "--dir", dir, filepath.Join(scenarios, "rewritten.bms"), filepath.Join(scenarios, "intact-day1.bms"))
	if r.code != exitAttention || !strings.Contains(r.out, "✗ 拒收") || !strings.Contains(r.out, "第 5 笔") || !strings.Contains(r.out, "接受 1 个营业日") {
		t.Errorf("import of a rewritten file and a good one: %+v", r)
	}
	if r := po(t, env, "import", "--dir", dir, filepath.Join(t.TempDir(), "nothing-here")); r.code == 0 || !strings.Contains(r.err, "找不到") {
		t.Errorf("import of a missing file: %+v", r)
	}

	// A host journal with a malformed row: the row is named, the rest read.
	journal := filepath.Join(t.TempDir(), "bank.jsonl")
	os.WriteFile(journal, []byte(`{"time":"2026-11-20T01:00:00Z","event":"send","host":"bank","trace":"T0001-000003","terminal":"T0001","service":"withdrawal","status":"approved","code":"00","amount":"500.00","auth_code":"428852","card":"622848*********0018","balance":"4500.00"}`+"\nnot json\n"), 0o644)
	r = po(t, env, "reconcile", "--dir", dir, "--date", "2026-11-20", "--host-journal", journal)
	if r.code != exitAttention || !strings.Contains(r.out, "bank.jsonl 第 2 行") || !strings.Contains(r.out, "相符 1 笔") {
		t.Errorf("reconcile with a bad row: %+v", r)
	}
	if r := po(t, env, "reconcile", "--dir", dir, "--date", "20.11.2026", "--host-journal", journal); r.code != exitUsage || !strings.Contains(r.err, "--date") {
		t.Errorf("reconcile with a bad date: %+v", r)
	}
}
