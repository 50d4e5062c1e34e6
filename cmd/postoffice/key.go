package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/registry/pgstore"
	"golang.org/x/mod/sumdb/note"
)

// runInit creates the post office's signing key. Its name goes into every
// signature, so stations see whose key signed a tariff. With --db it
// also makes (or brings up to date) the registry's schema in that
// PostgreSQL database; a folder that already has its key only gets the
// database made ready, which is how a post office moves to PostgreSQL.
func (m *Main) runInit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder (created)")
	db := m.dbFlag(fs)
	name := fs.String("name", "", "the key's name, e.g. xinyang-postoffice (letters, digits, '-', no spaces)")
	passFile := fs.String("passphrase-file", "", "file with the key passphrase (else POSTOFFICE_PASSPHRASE, else asked)")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	url, err := m.database(*db)
	if err != nil {
		return err
	}
	path := filepath.Join(*dir, keyFile)
	_, statErr := os.Stat(path)
	hasKey := statErr == nil
	if hasKey && url == "" {
		return fail(exitFailed, "%s 里已经有支局密钥了，什么都没有改动。", "%s already holds a post office key; nothing was changed.", *dir)
	}
	if !hasKey && *name == "" {
		return missingFlag("name", "请用 --name 给出密钥名称，例如 --name xinyang-postoffice。", "give the key's name with --name, e.g. --name xinyang-postoffice.")
	}
	if !hasKey {
		if _, err := keyfile.VerifierKey(*name, make([]byte, 32)); err != nil {
			return fail(exitFailed, "密钥名称 %q 不对：只能用字母、数字和“-”，不能有空格或“+”。", "the key name %q is not valid: letters, digits and '-', no spaces or '+'.", *name)
		}
	}
	if url != "" {
		// The database first: a URL that does not work leaves no key
		// behind to get in the way of the next try.
		if err := m.initDatabase(ctx, url); err != nil {
			return err
		}
	}
	if hasKey {
		return nil
	}
	pass, err := m.passphrase(*passFile, m.say("请设定密钥口令：", "choose the key passphrase: "), m.say("请再输入一遍：", "again: "))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	pub, err := keyfile.Create(path, pass, *name, m.KeyParams, rand.Reader)
	if errors.Is(err, keyfile.ErrShortPassphrase) {
		return fail(exitFailed, "口令太短：至少要 %d 个字符。", "the passphrase is too short: at least %d characters.", keyfile.MinPassphraseLen)
	}
	if err != nil {
		return err
	}
	vkey, err := keyfile.VerifierKey(*name, pub)
	if err != nil {
		return err
	}
	m.printf("已生成邮政支局签名密钥 %s。\n支局公钥（开通服务站时用 station init --postoffice-key 填这一行）：\n%s\n",
		"Created the post office signing key %s.\nVerifier key (give it to stations: station init --postoffice-key):\n%s\n", path, vkey)
	return nil
}

// initDatabase applies the schema's migrations to the database at url.
func (m *Main) initDatabase(ctx context.Context, url string) error {
	pool, err := pgstore.Connect(ctx, url)
	if err != nil {
		return m.dbErr(url, err)
	}
	defer pool.Close()
	applied, err := pgstore.Migrate(ctx, pool)
	if err != nil {
		return m.dbErr(url, err)
	}
	if len(applied) == 0 {
		m.printf("数据库 %s 已是本程序的数据结构（第 %d 版），没有改动。\n", "The database %s already has this program's schema (version %d); nothing changed.\n",
			redact(url), pgstore.Version())
		return nil
	}
	m.printf("数据库 %s 已准备好：数据结构升到第 %d 版（%s）。\n", "The database %s is ready: schema brought to version %d (%s).\n",
		redact(url), pgstore.Version(), strings.Join(applied, ", "))
	return nil
}

// runKey prints the post office's verifier key.
func (m *Main) runKey(args []string) error {
	fs := flag.NewFlagSet("key", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	pub, name, err := keyfile.PublicKey(filepath.Join(*dir, keyFile))
	if err != nil {
		return fail(exitFailed, "%s 里没有支局密钥；请先运行 postoffice init。", "%s holds no post office key; run postoffice init first.", *dir)
	}
	vkey, err := keyfile.VerifierKey(name, pub)
	if err != nil {
		return err
	}
	m.printf("%s\n", "%s\n", vkey)
	return nil
}

// signer unlocks the post office key.
func (m *Main) signer(dir, passFile string) (note.Signer, error) {
	if err := needDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, keyFile)
	_, name, err := keyfile.PublicKey(path)
	if err != nil {
		return nil, fail(exitFailed, "%s 里没有支局密钥；请先运行 postoffice init。", "%s holds no post office key; run postoffice init first.", dir)
	}
	pass, err := m.passphrase(passFile, m.say("请输入密钥口令：", "key passphrase: "), "")
	if err != nil {
		return nil, err
	}
	priv, err := keyfile.Open(path, pass, name)
	var me *keyfile.ModeError
	if errors.As(err, &me) {
		return nil, fail(exitFailed, "支局密钥文件 %[1]s 的权限是 %04[2]o，别的用户也能读到它，所以没有使用它，什么都没有签。请运行 chmod 600 %[1]s 后再试；若不知道是谁改的，请换新密钥。",
			"the post office key file %[1]s has permissions %04[2]o: other users can read it, so it was not used and nothing was signed. Run chmod 600 %[1]s and try again; if you do not know who changed it, make a new key.", me.Path, uint32(me.Perm))
	}
	if errors.Is(err, keyfile.ErrWrongPassphrase) {
		return nil, fail(exitFailed, "口令不对，密钥没有解开，什么都没有签。", "wrong passphrase: the key was not unlocked and nothing was signed.")
	}
	if err != nil {
		return nil, err
	}
	skey, err := keyfile.SignerKey(name, priv)
	if err != nil {
		return nil, err
	}
	return note.NewSigner(skey)
}
