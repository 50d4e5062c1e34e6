package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"strings"

	"github.com/villagepost/bianmin/internal/secret"
	"github.com/villagepost/bianmin/shopfront"
)

// flags makes a flag set whose errors are reported in our own words.
func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("station "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func (m *Main) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(m.Stdout)
			fs.PrintDefaults()
			return errHelped
		}
		return m.usageErr("命令行不对：%v", "bad command line: %v", err)
	}
	if fs.NArg() > 0 {
		return m.usageErr("多余的参数：%s", "unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}

// openView parses the flags of a command that only shows something
// (--dir, --json) and opens the station.
func (m *Main) openView(name string, args []string) (*shopfront.Folder, bool, error) {
	fs := m.flags(name)
	dir := fs.String("dir", "", "the station's data folder")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return nil, false, err
	}
	st, err := m.openForView(context.Background(), *dir, true)
	return st, *asJSON, err
}

// fileArg parses the flags of a command that takes one file after them
// and reads that file; usage says how the command is written.
func (m *Main) fileArg(fs *flag.FlagSet, args []string, usageZh, usageEn string) ([]byte, error) {
	if err := fs.Parse(args); err != nil {
		return nil, m.usageErr("命令行不对：%v", "bad command line: %v", err)
	}
	if fs.NArg() != 1 {
		return nil, &usageError{usageZh, usageEn}
	}
	if dir := fs.Lookup("dir"); dir != nil {
		if err := m.needDir(dir.Value.String()); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return nil, refuse(err, "读不了文件 %s。", "cannot read %s.", fs.Arg(0))
	}
	return data, nil
}

func (m *Main) needDir(dir string) error {
	if dir == "" {
		return m.missingFlag("dir", "请用 --dir 指明服务站的数据文件夹，例如 --dir demo-station。", "give the station's data folder with --dir, e.g. --dir demo-station.")
	}
	return nil
}

// unlock reads the passphrase, gives the ledger the station's key and,
// before anything else is recorded, closes a business day the shop forgot
// to close (operator is who is at the counter).
func (m *Main) unlock(st *shopfront.Folder, passFile, operator string) error {
	if err := m.unlockOnly(st, passFile); err != nil {
		return err
	}
	return m.closeForgotten(st, operator)
}

// closeForgotten closes a business day the shop forgot to close and
// says so.
func (m *Main) closeForgotten(st *shopfront.Folder, operator string) error {
	f, err := st.CloseForgotten(operator)
	if err != nil {
		return err
	}
	m.reportForgotten(f)
	return nil
}

// reportForgotten says that a forgotten day was closed late, if one was.
func (m *Main) reportForgotten(f shopfront.Forgotten) {
	if f.Day == "" {
		return
	}
	m.printf("注意：上一个营业日 %s 没有日结，现已补做日结（现金没有清点", "note: business day %s was not closed; it is closed now (cash not counted", f.Day)
	if f.Carried > 0 {
		m.printf("，%d 笔待处理业务结转到今天", ", %d pending item(s) carried to today", f.Carried)
	}
	m.printf("），日结文件 %s。请清点钱箱：station cash count --counted 金额。\n", "); file %s. Count the drawer: station cash count --counted AMOUNT.\n", f.File)
}

// openStation opens the station in --dir for a command that records
// something (shopfront.Open).
func (m *Main) openStation(dir string, verifyNew bool) (*shopfront.Folder, error) {
	if err := m.needDir(dir); err != nil {
		return nil, err
	}
	st, err := shopfront.Open(dir, m.Now, verifyNew)
	m.noteDir(dir, err)
	return st, err
}

// openForView opens the station in --dir for a command that only reads
// (shopfront.OpenForView: a copy of the files when the screen holds them).
func (m *Main) openForView(ctx context.Context, dir string, verifyNew bool) (*shopfront.Folder, error) {
	if err := m.needDir(dir); err != nil {
		return nil, err
	}
	st, err := shopfront.OpenForView(ctx, dir, m.Now, verifyNew)
	m.noteDir(dir, err)
	return st, err
}

// noteDir remembers the station's folder, where damage is logged, once
// it is known to be one (a refusal says it is not).
func (m *Main) noteDir(dir string, err error) {
	var r *shopfront.Refusal
	if err == nil || !errors.As(err, &r) {
		m.dir = dir
	}
}

// unlockOnly reads the passphrase and gives the ledger the station's key.
// A demo station's passphrase is public: it is used when none is given.
func (m *Main) unlockOnly(st *shopfront.Folder, passFile string) error {
	var pass []byte
	var err error
	if passFile == "" && m.Getenv("STATION_PASSPHRASE") == "" && st.IsDemo() {
		pass = []byte(shopfront.DemoPassphrase)
	} else if pass, err = m.secret(passFile, "STATION_PASSPHRASE", "请输入印章口令：", "station passphrase: ", false); err != nil {
		return err
	}
	return st.Unlock(pass)
}

// secret reads a passphrase or PIN: from a file, else the environment
// variable env, else the terminal without echo (twice when confirm).
func (m *Main) secret(file, env, promptZh, promptEn string, confirm bool) ([]byte, error) {
	again := ""
	if confirm {
		again = m.say("请再输入一遍：", "again: ")
	}
	b, err := secret.Read(secret.Source{File: file, Env: env, Getenv: m.Getenv, Stdin: m.Stdin, Prompt: m.Stderr}, m.say(promptZh, promptEn), again)
	var fe *secret.FileError
	switch {
	case errors.As(err, &fe):
		return nil, refuse(fe.Err, "读不了文件 %s。", "cannot read %s.", file)
	case errors.Is(err, secret.ErrNoTerminal):
		return nil, m.usageErr("请用文件给出（--%[1]s-file）或设置环境变量 %[2]s；不能写在命令行上。",
			"give it in a file (--%[1]s-file) or set %[2]s; never on the command line.", secretName(env), env)
	case errors.Is(err, secret.ErrMismatch):
		return nil, refuse(nil, "两次输入的不一样，什么都没有改动。请重新来一遍。", "the two entries differ; nothing was changed. Start again.")
	case err != nil:
		return nil, refuse(err, "读不到输入。", "cannot read the input.")
	}
	return b, nil
}

func secretName(env string) string {
	switch env {
	case "STATION_PASSPHRASE":
		return "passphrase"
	case "STATION_BY_PIN":
		return "by-pin"
	case "STATION_CARD_PIN":
		return "card-pin"
	}
	return "pin"
}
