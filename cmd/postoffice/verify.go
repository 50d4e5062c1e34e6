package main

import (
	"bufio"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"flag"
	"strings"
	"time"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/registry"
)

// runVerifyReceipt checks a receipt's verification code against a
// station's public key and shows what the receipt says.
func (m *Main) runVerifyReceipt(args []string) error {
	fs := flag.NewFlagSet("verify-receipt", flag.ContinueOnError)
	pubkey := fs.String("pubkey", "", "the station's public key: its verifier key (T0001+…) or the base64 key station init printed")
	rest, err := m.flags(fs, args, 1)
	if err != nil {
		return err
	}
	text := rest[0]
	if text == "-" { // the code from a scanner, on standard input
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fail(exitUsage, "标准输入里没有验证码。", "no code on standard input.")
		}
		text = line
	}
	text = strings.TrimSpace(text)
	name, pub, err := stationKey(*pubkey)
	if err != nil {
		return err
	}
	code, err := receipts.ParsePrinted(text)
	var ce *receipts.CodeError
	if errors.As(err, &ce) {
		return fail(exitFailed, "无效：这不是一张收据的验证码，或者抄错了（%s：%s）。", "INVALID: not a receipt code, or mistyped (%s: %s).", ce.Field, ce.Rule)
	}
	if err != nil {
		return err
	}
	if name != "" && name != code.Station {
		return fail(exitFailed, "无效：这张收据自称来自服务站 %s，而公钥是服务站 %s 的。", "INVALID: the receipt says it is from station %s, but the key is station %s's.", code.Station, name)
	}
	if err := code.Verify(pub); err != nil {
		return fail(exitFailed, "无效：签名对不上。收据在签发后被改过，或者不是这个服务站签发的。", "INVALID: the signature does not match: the receipt was changed after it was issued, or another station issued it.")
	}
	m.printf("有效：服务站 %s 签发的收据。\n", "VALID: a receipt issued by station %s.\n", code.Station)
	rows := [][3]string{
		{"账本序号", "entry", itoa(code.Seq)},
		{"时间", "time", code.Time.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05") + " (UTC+8)"},
		{"业务", "kind", code.Kind},
		{"金额", "total", money.FormatReceipt(code.Total)},
	}
	for _, r := range code.Refs {
		rows = append(rows, [3]string{r.Key, r.Key, r.Value})
	}
	rows = append(rows, [3]string{"账目哈希", "entry hash", hexOf(code.Hash[:])})
	for _, r := range rows {
		m.printf("  %s  %s\n", "  %s  %s\n", m.say(r[0], r[1]), r[2])
	}
	m.printf("（核对账目：这一笔应出现在该站的日结文件里，序号和哈希都相同。）\n", "(To check the ledger: the station's settlement file must hold this entry with this number and hash.)\n")
	return nil
}

// stationKey reads a station's public key: a note verifier key
// (name+hash+base64, as station init prints it for enrolment), whose name
// is the station id, or the bare base64 Ed25519 key.
func stationKey(s string) (string, ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil, missingFlag("pubkey", "请用 --pubkey 给出服务站的公钥。", "give the station's public key with --pubkey.")
	}
	bad := fail(exitUsage, "服务站公钥（--pubkey）格式不对：请照服务站开通时打印的“登记用公钥”或“印章公钥”原样抄写。",
		"the station key (--pubkey) is malformed: copy the verifier key or public key station init printed.")
	if raw, err := base64.StdEncoding.DecodeString(s); err == nil && len(raw) == ed25519.PublicKeySize {
		return "", ed25519.PublicKey(raw), nil
	}
	key, err := registry.VerifierKey(s)
	if err != nil {
		return "", nil, bad
	}
	pub, err := registry.PublicKey(key)
	if err != nil {
		return "", nil, bad
	}
	return strings.SplitN(key, "+", 2)[0], pub, nil
}
