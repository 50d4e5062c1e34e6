package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/internal/secret"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/terminal"
)

// Files in a station's data folder.
const (
	ledgerFile    = "ledger.db"
	keyFile       = "station.key"
	operatorsFile = "operators.db"
)

// Folder is an opened data folder.
type Folder struct {
	Dir     string
	Ledger  *ledger.Store
	Ops     *terminal.Operators
	CardKey []byte             // keys the per-card hash; set when the key is unlocked
	Key     ed25519.PrivateKey // signs receipt codes; set when the key is unlocked
	// copyDir holds the copy of the ledger, operators and pending store
	// a command that only reads got from the running program (see
	// openForView); "" when the station's own files are open.
	copyDir string
}

func (st *Folder) Close() error {
	err := st.Ops.Close()
	if lerr := st.Ledger.Close(); err == nil {
		err = lerr
	}
	if st.copyDir != "" {
		if rerr := os.RemoveAll(st.copyDir); err == nil {
			err = rerr
		}
	}
	return err
}

func (st *Folder) Path(name string) string { return filepath.Join(st.Dir, name) }

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
			return &problem{zh: "", en: "", code: exitOK}
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
func (m *Main) openView(name string, args []string) (*Folder, bool, error) {
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

// openStation opens the station in dir and verifies what was added since
// the last verification (verifyNew), so a damaged ledger is noticed at once
// without re-checking years of history.
func (m *Main) openStation(dir string, verifyNew bool) (*Folder, error) {
	if err := m.needDir(dir); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, refuse(nil, "没有找到服务站数据文件夹 %s。请检查路径；新开的站请先运行 station init。",
			"no station data folder at %s. Check the path; a new station starts with station init.", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, ledgerFile)); err != nil {
		return nil, refuse(nil, "%s 不是服务站的数据文件夹（里面没有 %s）。请检查路径。",
			"%s is not a station data folder (it has no %s). Check the path.", dir, ledgerFile)
	}
	m.dir = dir
	s, err := ledger.Open(filepath.Join(dir, ledgerFile), &ledger.Options{Now: m.Now})
	if err != nil {
		return nil, err
	}
	if verifyNew {
		if _, err := s.VerifyNew(); err != nil {
			s.Close()
			return nil, err
		}
	}
	ops, err := terminal.OpenOperators(filepath.Join(dir, operatorsFile), m.Now)
	if err != nil {
		s.Close()
		return nil, refuse(err, "打不开操作员名单 %s。", "cannot open the operator list %s.", filepath.Join(dir, operatorsFile))
	}
	return &Folder{Dir: dir, Ledger: s, Ops: ops}, nil
}

// unlock reads the passphrase, gives the ledger the station's key and,
// before anything else is recorded, closes a business day the shop forgot
// to close (operator is who is at the counter).
func (m *Main) unlock(st *Folder, passFile, operator string) error {
	if err := m.unlockOnly(st, passFile); err != nil {
		return err
	}
	return m.closeForgotten(st, operator)
}

// unlockOnly reads the passphrase and gives the ledger the station's key.
// A demo station's passphrase is public: it is used when none is given.
func (m *Main) unlockOnly(st *Folder, passFile string) error {
	var pass []byte
	var err error
	if passFile == "" && m.Getenv("STATION_PASSPHRASE") == "" && IsDemo(st) {
		pass = []byte(demoPassphrase)
	} else if pass, err = m.secret(passFile, "STATION_PASSPHRASE", "请输入印章口令：", "station passphrase: ", false); err != nil {
		return err
	}
	priv, err := keyfile.Open(st.Path(keyFile), pass, st.Ledger.Genesis().Terminal)
	if err != nil {
		return err
	}
	return st.SetKey(priv)
}

// SetKey lets the station sign entries and hash card numbers.
func (st *Folder) SetKey(priv ed25519.PrivateKey) error {
	if err := st.Ledger.SetSigner(priv); err != nil {
		return err
	}
	st.CardKey, st.Key = keyfile.Derive(priv, "card-key"), priv
	return nil
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

// addOperator records in the ledger that by added operator id, then
// stores the operator with the PIN's hash. Run again after a crash between
// the two, the ledger entry is replayed and the operator stored.
// UnlockOperator lifts every lockout of operator id for the holder of
// the station key's passphrase (the caller has checked it), typed at
// where (terminal.Console or "screen"), and records the unlock in the
// ledger, under the first owner's name, before it lifts it.
func (st *Folder) UnlockOperator(id, where string) (ledger.Entry, error) {
	ops, err := st.Ops.List()
	if err != nil {
		return ledger.Entry{}, err
	}
	found := false
	for _, op := range ops {
		found = found || op.ID == id
	}
	if !found {
		return ledger.Entry{}, fmt.Errorf("%w: %s", terminal.ErrUnknownOperator, id)
	}
	owner, err := FirstOwner(st)
	if err != nil {
		return ledger.Entry{}, err
	}
	payload, err := json.Marshal(map[string]string{"id": id, "by": "passphrase", "at": where})
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := st.Ledger.Append(ledger.Draft{Operator: owner, Kind: "operator_unlock", IdemKey: newIdemKey("operator_unlock"), Payload: payload})
	if err != nil {
		return ledger.Entry{}, err
	}
	return e, st.Ops.Unlock(id)
}

func (st *Folder) AddOperator(id, role, pinCode, by string) (ledger.Entry, error) {
	payload, err := json.Marshal(map[string]string{"id": id, "role": role})
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := st.Ledger.Append(ledger.Draft{Operator: by, Kind: "operator_add", IdemKey: "operator_add:" + id, Payload: payload})
	if err != nil {
		return ledger.Entry{}, err
	}
	return e, st.Ops.Add(id, role, pinCode, e.Seq)
}
