package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedRegistry: a registry.db whose page is damaged is refused by
// every command in the clerk's words, naming the file and what to do; no
// command reads it, none stops inside bbolt.
func TestDamagedRegistry(t *testing.T) {
	dir, env, signed := newPostOffice(t)
	const key = testStationKey
	if r := po(t, env, "enrol", "--dir", dir, "--station", "T0001", "--pubkey", key, "--franchisee", "王秀英", "--deposit", "20000.00",
		"--tariff", signed); r.code != 0 {
		t.Fatalf("enrol: %+v", r)
	}
	path := filepath.Join(dir, "registry.db")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	damaged := false
	for at := 2 * pageSize; at+pageSize <= len(data) && !damaged; at += pageSize {
		if binary.LittleEndian.Uint16(data[at+8:]) == 0x02 && strings.Contains(string(data[at:at+pageSize]), "王秀英") {
			binary.LittleEndian.PutUint16(data[at+10:], 0xFFF0) // more elements than the page holds
			damaged = true
		}
	}
	if !damaged {
		t.Fatal("no leaf page holds the station")
	}
	os.WriteFile(path, data, 0o600)
	for _, args := range [][]string{
		{"stations", "--dir", dir},
		{"enrol", "--dir", dir, "--station", "T0002", "--pubkey", key, "--franchisee", "李", "--deposit", "1.00", "--tariff", signed},
	} {
		r := po(t, env, args...)
		if r.code != exitFailed || !strings.Contains(r.err, "登记簿文件") || !strings.Contains(r.err, "损坏了") || !strings.Contains(r.err, path) || !strings.Contains(r.err, "备份") {
			t.Errorf("postoffice %s on a damaged registry: %+v", args[0], r)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(data) {
		t.Error("a command changed the damaged registry")
	}
}
