// Command station is the shopkeeper's program at a postal convenience
// station: it creates the station, keeps its signed ledger and shows what
// it holds. Run "station help" for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/villagepost/bianmin/internal/version"
	"github.com/villagepost/bianmin/keyfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Now: time.Now, KeyParams: keyfile.DefaultParams(),
	}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1 // refused or failed; nothing changed
	exitUsage    = 2 // the command line was wrong
	exitTampered = 3 // the ledger does not verify
)

// Main is one run of the program, with everything it touches outside
// itself injected so that tests run the real commands.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
	KeyParams      keyfile.Params // the cost of deriving the key from the passphrase
	lang           string
	// screen says the words are for the shopkeeper's screen, which shows
	// no Go error text and no internal names (the server's log keeps
	// them); the command line adds them as details.
	screen bool
	dir    string // the station folder this run opened, for the technician's log
}

type command struct {
	name    string
	zh, en  string
	run     func(m *Main, ctx context.Context, args []string) error
	example string
}

func (m *Main) commands() []command {
	return []command{
		{"init", "开通服务站：生成印章密钥和账本", "create the station: signing key and ledger", (*Main).runInit,
			`station init --dir D --id T0001 --name "山前村便民服务站" --postoffice-key KEY [--zone Asia/Shanghai] [--passphrase-file F]`},
		{"serve", "打开服务站网页（店里用的屏幕）", "serve the shopkeeper's screen (web UI)", (*Main).runServe,
			"station serve [--dir D] [--addr 127.0.0.1:8080] [--host URL]"},
		{"demo", "开通（或打开）演示服务站并显示它的状态", "create (or open) a demo station and show its state", (*Main).runDemo,
			"station demo [--dir demo-station]"},
		{"key", "显示本站的登记用公钥（交给邮政支局登记）", "print the station's verifier key (for the post office to enrol)", (*Main).runKey,
			"station key --dir D [--json]"},
		{"ledger", "账本：核验、查看、导出", "ledger: verify, show, export", (*Main).runLedger,
			"station ledger verify|show|export --dir D"},
		{"balance", "各账户余额", "balance of every account", (*Main).runBalance,
			"station balance --dir D [--at SEQ] [--json]"},
		{"operator", "操作员：添加、列出、解锁（用印章口令）", "operators: add, list, unlock (with the station passphrase)", (*Main).runOperator,
			"station operator add|list|unlock --dir D [--id OP1]"},
		{"cash", "钱箱：查看、存入、取出、清点", "cash drawer: show, put in, take out, count", (*Main).runCash,
			"station cash [in --reason float|owner | out --reason courier|owner] --amount 500.00 --dir D --operator OP1 | station cash count --counted 1234.50 --dir D --operator OP1 | station cash --dir D"},
		{"withdraw", "助农取款：从银行卡取现金", "cash withdrawal from a bank card", (*Main).runWithdraw,
			"station withdraw --dir D --operator OP1 --card 6228480402564890018 --amount 500 [--card-pin-file F]"},
		{"balance-inquiry", "查银行卡余额", "bank card balance inquiry", (*Main).runBalanceInquiry,
			"station balance-inquiry --dir D --operator OP1 --card 6228480402564890018 [--card-pin-file F]"},
		{"pay-bill", "缴电费、水费、燃气费", "pay a utility bill", (*Main).runPayBill,
			"station pay-bill --dir D --operator OP1 --biller state-grid --account 5100123456 [--amount 120.50] [--paid 200] [--lookup]"},
		{"topup", "手机话费充值", "mobile phone top-up", (*Main).runTopup,
			"station topup --dir D --operator OP1 --biller china-mobile --phone 13800138000 --amount 50"},
		{"ticket", "火车票、机票：订票、查看、退票", "train and air tickets: order, list, cancel", (*Main).runTicket,
			"station ticket order --dir D --operator OP1 --carrier rail --passenger 张三 --id ID --from 信阳 --to 郑州东 --date 2026-11-25 --class 二等座 --fare 153.50 | list --dir D | cancel --dir D --operator OP1 --order N"},
		{"insure", "财产保险（农房、农机、家庭财产）：报价、投保、查看、退保", "property insurance: quote, buy, list, cancel", (*Main).runInsure,
			"station insure quote --dir D --product farmhouse --sum 100000 | buy --dir D --operator OP1 --product farmhouse --holder 王秀英 --id ID --object 砖木结构住房三间 --sum 100000 | list --dir D | cancel --dir D --operator OP1 --policy N"},
		{"sim", "号卡：收寄售卡、查库存、实名卖卡、退回", "phone-number cards: receive, stock, sell with real-name registration, return", (*Main).runSIM,
			"station sim receive --dir D --operator OP1 --plan cmcc-39 --card ICCID,13812345670 | stock --dir D | sell --dir D --operator OP1 --number 13812345670 --name 王秀英 --id ID | return --dir D --operator OP1 --number 13812345670"},
		{"contribute", "城乡居民医保、养老保险代收：一户几个人一起报价、缴费", "residents' medical and pension insurance contributions for a household: quote, pay", (*Main).runContribute,
			"station contribute quote|pay --dir D --operator OP1 [--head 王建国] --member 王建国,411523198001011234,medical --member 李秀兰,411523198203159069,pension,300"},
		{"stock", "库存：查看、入库、退回邮政、盘点", "stock: list, receive, send back, count", (*Main).runStock,
			"station stock [in|return --sku SKU --qty 40 | count --sku SKU --counted 38] --dir D --operator OP1"},
		{"sell", "卖商品（化肥、酒、日用品）", "sell goods", (*Main).runSell,
			"station sell --dir D --operator OP1 --item FERT-UREA-50KG:2 [--paid 300] [--deliver-to 地点 --promised 2026-11-25]"},
		{"deliver", "登记送货签收", "record a delivery", (*Main).runDeliver,
			"station deliver --dir D --operator OP1 --sale 12 --received-by 李大伯"},
		{"void", "撤销当天的销售或排队中的缴费（店主批准）", "void a same-day sale or queued payment (owner approves)", (*Main).runVoid,
			"station void --dir D --operator OP2 --entry N --reason 顾客不要了 [--by OP1]"},
		{"queue", "查看等网络的业务和要退的钱", "what waits for a host, and refunds owed", (*Main).runQueue,
			"station queue --dir D [--operator OP1 to send what can be sent]"},
		{"dispute", "业务纠纷：登记顾客说有问题的业务、收下邮政支局的答复、查看", "disputes: register one, load the post office's decision, list them", (*Main).runDispute,
			`station dispute open --dir D --operator OP1 --entry N --says "卡上扣了钱，没拿到现金" | list --dir D | load --dir D --operator OP1 FILE…`},
		{"handover", "承接：收下邮政支局的交接单，接着办原服务站没办完的事；退出前查看本站还欠村民的", "take over what a station that left still owed villagers; list what this station owes", (*Main).runHandover,
			"station handover load --dir D --operator OP1 FILE | list --dir D | finish --dir D --operator OP1 --item N [--received-by 签收人 | --decision FILE] | owed --dir D"},
		{"refund", "把欠顾客的退款付出", "hand back a refund owed", (*Main).runRefund,
			"station refund --dir D --operator OP1 --entry N"},
		{"receipt", "重打收据（记入账本）", "reprint a receipt (recorded)", (*Main).runReceipt,
			"station receipt --dir D --operator OP1 --seq N [--pdf FILE | --text] [--width 58|80]"},
		{"report", "今日账（X 报表）：到现在的业务、现金、与邮政结算", "the day so far (X report)", (*Main).runReport,
			"station report --dir D [--json]"},
		{"close-day", "日结：清点现金、记账、写日结文件（店主确认）", "close the business day and write its settlement file (owner approves)", (*Main).runCloseDay,
			"station close-day --dir D --operator OP1 --counted 3456.70 [--carry]"},
		{"export", "把还没确认的日结文件复制到U盘", "copy settlement files not yet acknowledged to a folder (USB stick)", (*Main).runExport,
			"station export --dir D [--since 2026-11-01] --to /media/usb"},
		{"upload", "把日结文件从网上交给邮政支局，收下回执", "send the day files to the post office over the network and keep its acknowledgements", (*Main).runUpload,
			"station upload --dir D [--postoffice https://postoffice.example:8443]"},
		{"ack", "收下邮政支局的对账确认", "keep the post office's acknowledgement", (*Main).runAck,
			"station ack --dir D --operator OP1 FILE"},
		{"backup", "备份服务站到U盘（账本、印章密钥文件、确认文件，附清单和校验和）", "back the station up to a folder (USB stick), with a manifest and checksums", (*Main).runBackup,
			"station backup --dir D --to /media/usb"},
		{"restore", "从备份恢复服务站到新的文件夹（核验账本、对照邮政支局的确认）", "restore a station from a backup into a new folder (verified, checked against the post office's acknowledgements)", (*Main).runRestore,
			"station restore --from /media/usb/T0001-backup-… --dir D [--acks FOLDER]"},
		{"tariff", "价目表：载入邮政支局签发的价目表、查看", "tariff: load the post office's signed price list, show it", (*Main).runTariff,
			"station tariff load --dir D --operator OP1 FILE | station tariff show --dir D"},
	}
}

// Run runs the command in args and returns the exit status. Errors are
// printed as one line that says what went wrong and what to do.
func (m *Main) Run(ctx context.Context, args []string) (status int) {
	m.lang = langFrom(m.Getenv("STATION_LANG"))
	args = m.takeLang(args)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(m.Stderr, m.say("内部错误，什么都没有改动。请把这段话告诉技术支持：", "internal error; nothing was changed. Tell support:"), r)
			status = exitFailed
		}
	}()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		m.usage(m.Stdout)
		return exitOK
	}
	if args[0] == "version" || args[0] == "--version" || args[0] == "-version" {
		fmt.Fprintln(m.Stdout, version.String("station"))
		return exitOK
	}
	for _, c := range m.commands() {
		if c.name == args[0] {
			return m.status(c.run(m, ctx, args[1:]))
		}
	}
	fmt.Fprintf(m.Stderr, m.say("没有“%s”这个命令。", "there is no command %q.")+"\n", args[0])
	m.usage(m.Stderr)
	return exitUsage
}

// takeLang removes a --lang flag from anywhere in args.
func (m *Main) takeLang(args []string) []string {
	out := args[:0:0]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--lang" || a == "-lang":
			if i+1 < len(args) {
				m.lang = langFrom(args[i+1])
				i++
			}
		case strings.HasPrefix(a, "--lang=") || strings.HasPrefix(a, "-lang="):
			_, v, _ := strings.Cut(a, "=")
			m.lang = langFrom(v)
		default:
			out = append(out, a)
		}
	}
	return out
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, m.say("用法：station 命令 [选项]    （加 --lang en 显示英文）", "usage: station command [flags]    (--lang zh for Chinese)"))
	fmt.Fprintln(w)
	for _, c := range m.commands() {
		fmt.Fprintf(w, "  %-9s %s\n            %s\n", c.name, m.say(c.zh, c.en), c.example)
	}
}
