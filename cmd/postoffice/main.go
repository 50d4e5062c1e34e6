// Command postoffice is the regional post office's program: it keeps the
// post office's signing key and signs tariffs; enrols, re-keys and retires
// stations; imports their day files and acknowledges them; reconciles them
// against the hosts' journals; and writes monthly statements. Run
// "postoffice help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/villagepost/bianmin/internal/secret"
	"github.com/villagepost/bianmin/internal/version"
	"github.com/villagepost/bianmin/keyfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now, KeyParams: keyfile.DefaultParams()}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	// exitAttention: done, but something needs a person: a file refused,
	// held or forked; an exception in a reconciliation.
	exitAttention = 3
)

// Main is one run of the program with what it touches injected.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
	KeyParams      keyfile.Params
	en             bool
}

// keyFile is the post office's encrypted signing key in its --dir.
const keyFile = "postoffice.key"

// say picks Chinese (the default) or English.
func (m *Main) say(zh, en string) string {
	if m.en {
		return en
	}
	return zh
}

// failure is a refusal in both languages, with its exit status.
type failure struct {
	zh, en string
	code   int
}

func (f *failure) Error() string { return f.en }

func fail(code int, zh, en string, args ...any) error {
	return &failure{fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...), code}
}

// Run runs the command in args and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	var rest []string
	m.en = strings.HasPrefix(m.Getenv("POSTOFFICE_LANG"), "en")
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--lang" && i+1 < len(args):
			m.en = strings.HasPrefix(args[i+1], "en")
			i++
		case strings.HasPrefix(args[i], "--lang="):
			m.en = strings.HasPrefix(strings.TrimPrefix(args[i], "--lang="), "en")
		default:
			rest = append(rest, args[i])
		}
	}
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		m.usage(m.Stdout)
		return exitOK
	}
	if rest[0] == "version" || rest[0] == "--version" || rest[0] == "-version" {
		fmt.Fprintln(m.Stdout, version.String("postoffice"))
		return exitOK
	}
	var err error
	switch rest[0] {
	case "init":
		err = m.runInit(ctx, rest[1:])
	case "key":
		err = m.runKey(rest[1:])
	case "enrol":
		err = m.runEnrol(ctx, rest[1:])
	case "stations":
		err = m.runStations(ctx, rest[1:])
	case "import":
		err = m.runImport(ctx, rest[1:])
	case "serve":
		err = m.runServe(ctx, rest[1:])
	case "reconcile":
		err = m.runReconcile(ctx, rest[1:])
	case "statement":
		err = m.runStatement(ctx, rest[1:])
	case "rotate-key":
		err = m.runRotateKey(ctx, rest[1:])
	case "retire":
		err = m.runRetire(ctx, rest[1:])
	case "dayfile":
		err = m.runDayFile(ctx, rest[1:])
	case "dispute":
		err = m.runDispute(ctx, rest[1:])
	case "staff":
		err = m.runStaff(ctx, rest[1:])
	case "migrate":
		err = m.runMigrate(ctx, rest[1:])
	case "verify-receipt":
		err = m.runVerifyReceipt(rest[1:])
	case "tariff":
		switch {
		case len(rest) >= 2 && rest[1] == "sign":
			err = m.runTariffSign(ctx, rest[2:])
		case len(rest) >= 2 && rest[1] == "issue":
			err = m.runTariffIssue(ctx, rest[2:])
		default:
			err = fail(exitUsage, "价目表有两个操作：postoffice tariff sign --dir D 文件（签发），postoffice tariff issue --dir D --station T0001 版本（发给服务站）",
				"tariff has two actions: postoffice tariff sign --dir D FILE (sign), postoffice tariff issue --dir D --station T0001 VERSION (give it to stations)")
		}
	default:
		err = fail(exitUsage, "没有“%s”这个命令，输入 postoffice help 查看用法。", "there is no command %q; run postoffice help.", rest[0])
	}
	if err == nil {
		return exitOK
	}
	var f *failure
	if errors.As(err, &f) {
		fmt.Fprintln(m.Stderr, m.say(f.zh, f.en))
		return f.code
	}
	fmt.Fprintln(m.Stderr, m.say("出错了，什么都没有改动：", "error; nothing was changed: ")+err.Error())
	return exitFailed
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, m.say("用法：postoffice 命令 [选项]    （加 --lang en 显示英文）", "usage: postoffice command [flags]"))
	for _, c := range [][4]string{
		{"init", "生成邮政支局的签名密钥（加 --db 时准备数据库）", "create the post office's signing key (and with --db make the database ready)", "postoffice init --dir D --name xinyang-postoffice [--passphrase-file F] [--db postgres://…]"},
		{"key", "显示支局公钥（服务站开通时要用）", "show the post office's verifier key (stations need it)", "postoffice key --dir D"},
		{"tariff sign", "签发价目表", "sign a tariff", "postoffice tariff sign --dir D [--out tariff.signed] tariff.json"},
		{"tariff issue", "把签发过的价目表发给服务站（联网的服务站生效那天自己载入）", "give stations a signed tariff (stations online load it on the day it becomes valid)", "postoffice tariff issue --dir D --station T0001[,T0002]|--all VERSION"},
		{"enrol", "登记服务站", "enrol a station", `postoffice enrol --dir D --station T0001 --pubkey T0001+… --franchisee "王秀英" --deposit 20000.00 --tariff tariff.signed`},
		{"stations", "列出服务站", "list the stations", "postoffice stations --dir D"},
		{"import", "导入日结文件，核验并发回执", "import day files: verify and acknowledge", "postoffice import --dir D [--acks DIR] FILES|FOLDER…"},
		{"serve", "开网上服务：服务站自动交日结文件、取回执和价目表", "serve the station API: stations upload day files, fetch acknowledgements and tariffs", "postoffice serve --dir D [--addr 127.0.0.1:8443] [--tls-cert F --tls-key F] [--db postgres://…]"},
		{"reconcile", "与银行、收费单位、承运人的流水对账", "reconcile against the hosts' journals", "postoffice reconcile --dir D --date 2026-11-20 --host-journal F [--host-journal F2…] [--out F.csv]"},
		{"statement", "月结单（PDF 和 CSV）", "monthly statements (PDF and CSV)", "postoffice statement --dir D --station T0001|--all --month 2026-11 [--out DIR]"},
		{"rotate-key", "登记服务站的新密钥（须有旧密钥签的声明）", "record a station's new key, vouched for by its old one", "postoffice rotate-key --dir D --station T0001 --vouch rotation.note"},
		{"dayfile", "取出接收过的日结文件（原样，从登记簿）", "write out an accepted day file (as sent, from the registry)", "postoffice dayfile --dir D --station T0001 --day 2026-11-20 --out T0001-20261120.bms"},
		{"retire", "服务站退出：最终结算、退押金", "retire a station: final settlement, deposit back", "postoffice retire --dir D --station T0001"},
		{"dispute", "业务纠纷：列出服务站登记的纠纷、签发答复（要退钱或不用退）", "disputes: list those the stations registered, sign a decision (refund owed or none)", "postoffice dispute list --dir D [--station T0001] [--open] | decide --dir D --station T0001 --dispute N --refund 500.00|--none --reason 理由"},
		{"staff add", "添加员工网页的账号（营业员或主管）", "add an account of the staff web pages (clerk or manager)", `postoffice staff add --dir D --id alice --name "李丽" --role clerk|manager [--password-file F]`},
		{"staff list", "列出员工账号", "list the staff accounts", "postoffice staff list --dir D"},
		{"migrate", "把登记簿从 --dir 里的 bbolt 文件搬进空的 PostgreSQL 数据库，并逐条核对", "move the registry from the bbolt file in a folder into an empty PostgreSQL database, and prove the copy", "postoffice migrate --from-dir D --db postgres://…"},
		{"verify-receipt", "核验收据上的二维码", "check a receipt's QR code", "postoffice verify-receipt --pubkey T0001+… 'BMR1|T0001|…' (or - to read it from a scanner)"},
	} {
		fmt.Fprintf(w, "  %-14s %s\n                 %s\n", c[0], m.say(c[1], c[2]), c[3])
	}
	fmt.Fprintln(w, m.say("每个带 --dir 的命令（key 除外）都可加 --db postgres://…（或环境变量 POSTOFFICE_DB）：登记簿放在 PostgreSQL 里，几台 postoffice serve 可以共用（接收的日结文件和回执也存在里面）；密钥在 --dir，存档和回执在 --dir 里另有一份。postoffice init --dir D --db URL 准备数据库。",
		"Every command with --dir (but key) takes --db postgres://… (or POSTOFFICE_DB): the registry in PostgreSQL, which several postoffice serve processes may share (it keeps the accepted day files and acknowledgements too); the key stays in --dir, with copies of the archive and acknowledgements. postoffice init --dir D --db URL makes the database ready."))
}

// flags parses args; positional arguments are returned.
func (m *Main) flags(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return nil, fail(exitUsage, "命令行不对：%v", "bad command line: %v", err)
	}
	if fs.NArg() != positional {
		return nil, fail(exitUsage, "参数个数不对，输入 postoffice help 查看用法。", "wrong number of arguments; run postoffice help.")
	}
	if dir := fs.Lookup("dir"); dir != nil { // every command with a --dir needs it
		if err := needDir(dir.Value.String()); err != nil {
			return nil, err
		}
	}
	return fs.Args(), nil
}

func (m *Main) passphrase(file, prompt, again string) ([]byte, error) {
	b, err := secret.Read(secret.Source{File: file, Env: "POSTOFFICE_PASSPHRASE", Getenv: m.Getenv, Stdin: m.Stdin, Prompt: m.Stderr}, prompt, again)
	switch {
	case errors.Is(err, secret.ErrNoTerminal):
		return nil, fail(exitUsage, "请用 --passphrase-file 或环境变量 POSTOFFICE_PASSPHRASE 给出口令；不能写在命令行上。",
			"give the passphrase with --passphrase-file or POSTOFFICE_PASSPHRASE; never on the command line.")
	case errors.Is(err, secret.ErrMismatch):
		return nil, fail(exitFailed, "两次输入的口令不一样，什么都没有改动。", "the two passphrases differ; nothing was changed.")
	}
	return b, err
}

// missingFlag is a required flag left out: the message names the flag as
// missing, then says what to give.
func missingFlag(flag, zh, en string) error {
	return &failure{"缺少必填选项 --" + flag + "：" + zh, "missing required flag --" + flag + ": " + en, exitUsage}
}

// needDir refuses an empty --dir before anything looks inside it.
func needDir(dir string) error {
	if dir == "" {
		return missingFlag("dir", "请用 --dir 给出邮政支局的数据文件夹，例如 --dir postoffice。", "give the post office's data folder with --dir, e.g. --dir postoffice.")
	}
	return nil
}

func itoa(n uint64) string { return fmt.Sprint(n) }

func hexOf(b []byte) string { return fmt.Sprintf("%x", b) }
