package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"strings"

	"github.com/villagepost/bianmin/internal/secret"
	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
)

// runStaff manages the accounts of the staff web pages.
func (m *Main) runStaff(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return fail(exitUsage, "员工账号有 add 和 list 两个操作：postoffice staff add|list --dir D …", "staff has two actions: postoffice staff add|list --dir D …")
	}
	if args[0] == "list" {
		return m.runStaffList(ctx, args[1:])
	}
	fs := flag.NewFlagSet("staff add", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	id := fs.String("id", "", "the sign-in name, e.g. alice")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "", "clerk (views and imports) or manager (also enrols and retires)")
	passFile := fs.String("password-file", "", "file with the password (else POSTOFFICE_STAFF_PASSWORD, else asked)")
	if _, err := m.flags(fs, args[1:], 0); err != nil {
		return err
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	pw, err := secret.Read(secret.Source{File: *passFile, Env: "POSTOFFICE_STAFF_PASSWORD", Getenv: m.Getenv, Stdin: m.Stdin, Prompt: m.Stderr},
		m.say("新账号的密码：", "the new account's password: "), m.say("再输一次：", "again: "))
	switch {
	case errors.Is(err, secret.ErrNoTerminal):
		return fail(exitUsage, "请用 --password-file 或环境变量 POSTOFFICE_STAFF_PASSWORD 给出密码；不能写在命令行上。",
			"give the password with --password-file or POSTOFFICE_STAFF_PASSWORD; never on the command line.")
	case errors.Is(err, secret.ErrMismatch):
		return fail(exitFailed, "两次输入的密码不一样，什么都没有改动。", "the two passwords differ; nothing was changed.")
	case err != nil:
		return fail(exitFailed, "读不了密码：%v", "cannot read the password: %v", err)
	}
	s, err := registry.NewStaff(*id, *name, *role, string(pw), rand.Reader)
	if err != nil {
		return m.staffErr(err)
	}
	o := &office.Office{Dir: *dir, Registry: r}
	if err := o.AddStaff(ctx, s); err != nil {
		return m.staffErr(err)
	}
	m.printf("已添加员工账号 %s（%s，%s）。用 postoffice serve 打开员工网页登录。\n", "Added staff account %s (%s, %s). Sign in on the pages postoffice serve opens.\n",
		s.ID, s.Name, m.roleName(s.Role))
	return nil
}

func (m *Main) roleName(role string) string {
	if role == registry.Manager {
		return m.say("主管", "manager")
	}
	return m.say("营业员", "clerk")
}

// staffErr says what is wrong with an account's fields.
func (m *Main) staffErr(err error) error {
	var re *registry.Error
	if !errors.As(err, &re) {
		return err
	}
	if re.Kind == registry.ErrExists {
		return fail(exitFailed, "这个账号已经有了，什么都没有改动（%s）。", "the account exists already; nothing was changed (%s).", re.Detail)
	}
	zh := map[string]string{
		"id":       "账号（--id）要用 1 到 32 个小写字母、数字、点、下划线或减号，以字母开头",
		"name":     "姓名（--name）要写 1 到 64 个字，一行",
		"role":     "角色（--role）只能是 clerk（营业员）或 manager（主管）",
		"password": "密码至少要 10 个字符",
	}
	field, _, _ := strings.Cut(re.Detail, ":")
	return &failure{code: exitFailed, zh: zh[field] + "；什么都没有改动。", en: re.Detail + "; nothing was changed."}
}

// runStaffList lists the staff accounts.
func (m *Main) runStaffList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("staff list", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	list, err := (&office.Office{Dir: *dir, Registry: r}).StaffList(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		m.printf("还没有员工账号。用 postoffice staff add 添加。\n", "No staff account yet. Add one with postoffice staff add.\n")
		return nil
	}
	t := textwidth.Table{}
	t.Add(m.say("账号", "id"), m.say("姓名", "name"), m.say("角色", "role"), m.say("添加于", "added"))
	for _, s := range list {
		t.Add(s.ID, s.Name, m.roleName(s.Role), s.Created.Format("2006-01-02"))
	}
	return t.Write(m.Stdout)
}
