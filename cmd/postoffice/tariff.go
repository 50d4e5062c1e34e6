package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/villagepost/bianmin/tariff"
)

// runTariffSign checks a tariff and signs it for the stations.
func (m *Main) runTariffSign(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tariff sign", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	out := fs.String("out", "", "the signed file to write (default: FILE with .signed instead of .json)")
	passFile := fs.String("passphrase-file", "", "file with the key passphrase (else POSTOFFICE_PASSPHRASE, else asked)")
	rest, err := m.flags(fs, args, 1)
	if err != nil {
		return err
	}
	in := rest[0]
	body, err := os.ReadFile(in)
	if err != nil {
		return fail(exitFailed, "读不了价目表文件 %s。", "cannot read the tariff file %s.", in)
	}
	t, err := tariff.Parse(body)
	var te *tariff.Error
	if errors.As(err, &te) {
		return fail(exitFailed, "价目表没有签发：%s 不对（%s）。请改正后再签。", "the tariff was not signed: %s is wrong (%s). Correct it and sign again.", te.Field, te.Rule)
	}
	if err != nil {
		return err
	}
	signer, err := m.signer(*dir, *passFile)
	if err != nil {
		return err
	}
	signed, err := tariff.Sign(body, signer)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = strings.TrimSuffix(in, ".json") + ".signed"
	}
	// The registry keeps what it signed, to check the stations' fees and
	// commissions against it.
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Issue(ctx, t); err != nil {
		return m.registryErr(err)
	}
	if err := os.WriteFile(*out, signed, 0o644); err != nil {
		return fail(exitFailed, "写不了 %s。", "cannot write %s.", *out)
	}
	m.printf("已签发价目表 %s（%s 至 %s 有效），写在 %s。发给各服务站用 station tariff load 载入。\n",
		"Signed tariff %s (valid %s to %s) into %s. Stations load it with station tariff load.\n", t.Version, t.ValidFrom, t.ValidUntil, *out)
	return nil
}

func (m *Main) printf(zh, en string, args ...any) {
	fmt.Fprintf(m.Stdout, m.say(zh, en), args...)
}
