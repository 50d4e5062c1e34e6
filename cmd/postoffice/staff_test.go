package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
)

// TestStaffAdd: accounts are added with a password from a file or the
// environment, never the command line; bad fields change nothing; the
// stored password checks and nothing else does.
func TestStaffAdd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "po")
	env := map[string]string{"POSTOFFICE_PASSPHRASE": "regional office passphrase"}
	if r := po(t, env, "init", "--dir", dir, "--name", "xinyang-postoffice"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("a long manager password\n"), 0o600)
	if r := po(t, nil, "staff", "add", "--dir", dir, "--id", "bob", "--name", "赵强", "--role", "manager", "--password-file", pwFile); r.code != 0 || !strings.Contains(r.out, "已添加员工账号 bob") {
		t.Fatalf("add bob: %+v", r)
	}
	pwEnv := map[string]string{"POSTOFFICE_STAFF_PASSWORD": "a long clerk password"}
	if r := po(t, pwEnv, "staff", "add", "--dir", dir, "--id", "alice", "--name", "李丽", "--role", "clerk"); r.code != 0 {
		t.Fatalf("add alice: %+v", r)
	}
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no password", []string{"--id", "carol", "--name", "C", "--role", "clerk"}, nil, "POSTOFFICE_STAFF_PASSWORD"},
		{"short password", []string{"--id", "carol", "--name", "C", "--role", "clerk"}, map[string]string{"POSTOFFICE_STAFF_PASSWORD": "short"}, "密码至少要 10 个字符"},
		{"bad role", []string{"--id", "carol", "--name", "C", "--role", "boss"}, pwEnv, "clerk（营业员）或 manager（主管）"},
		{"bad id", []string{"--id", "Carol Smith", "--name", "C", "--role", "clerk"}, pwEnv, "账号（--id）"},
		{"taken id", []string{"--id", "alice", "--name", "C", "--role", "clerk"}, pwEnv, "已经有了"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := po(t, c.env, append([]string{"staff", "add", "--dir", dir}, c.args...)...)
			if r.code == 0 || !strings.Contains(r.err, c.want) {
				t.Errorf("got %+v, want a refusal saying %q", r, c.want)
			}
		})
	}
	r := po(t, nil, "staff", "list", "--dir", dir)
	if r.code != 0 || !strings.Contains(r.out, "alice") || !strings.Contains(r.out, "主管") || strings.Contains(r.out, "carol") || strings.Contains(r.out, "argon2") {
		t.Errorf("list:\n%+v", r)
	}
	reg, err := registry.Open(filepath.Join(dir, office.RegistryFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	bob, err := reg.StaffMember(t.Context(), "bob")
	if err != nil || bob.Role != registry.Manager || !bob.CheckPassword("a long manager password") || bob.CheckPassword("a long clerk password") {
		t.Errorf("bob as stored: %+v, %v", bob, err)
	}
}
