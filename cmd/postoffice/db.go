package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
)

// dbEnv is the environment form of --db.
const dbEnv = "POSTOFFICE_DB"

// dbFlag adds --db to a command: where its registry is. Empty (and no
// POSTOFFICE_DB) is the bbolt file in --dir, as a regional post office
// keeps it; postgres://… is a PostgreSQL database that several post
// office servers may share. The key, the archive and the
// acknowledgements stay in --dir either way.
func (m *Main) dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "the registry's PostgreSQL database, postgres://… (else POSTOFFICE_DB, else the bbolt file in --dir)")
}

// database is the URL of the registry's database ("" for the bbolt file):
// --db, else POSTOFFICE_DB. A URL that is not postgres:// is refused.
func (m *Main) database(db string) (string, error) {
	if db == "" {
		db = strings.TrimSpace(m.Getenv(dbEnv))
	}
	if db == "" {
		return "", nil
	}
	if u, err := url.Parse(db); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fail(exitUsage, "--db（或 POSTOFFICE_DB）要写成 postgres://用户@主机/数据库 这样的地址：%s",
			"--db (or POSTOFFICE_DB) must be a URL like postgres://user@host/database: %s", redact(db))
	}
	return db, nil
}

// openRegistry opens the registry of a post office folder made by init:
// the bbolt file in it, or the PostgreSQL database db names (checked to
// have this program's schema).
func (m *Main) openRegistry(ctx context.Context, dir, db string) (*registry.Registry, error) {
	if err := needDir(dir); err != nil {
		return nil, err
	}
	if _, _, err := keyfile.PublicKey(filepath.Join(dir, keyFile)); err != nil {
		return nil, fail(exitFailed, "%s 里没有支局密钥；请先运行 postoffice init。", "%s holds no post office key; run postoffice init first.", dir)
	}
	db, err := m.database(db)
	if err != nil {
		return nil, err
	}
	if db == "" {
		r, err := registry.Open(filepath.Join(dir, registryFile), &registry.Options{Now: m.Now})
		if errors.Is(err, registry.ErrInUse) {
			return nil, fail(exitFailed, "登记簿正被另一个 postoffice 程序使用，请等它结束后再试。", "the registry is in use by another postoffice program; try again when it is done.")
		}
		var de *registry.DamagedError
		if errors.As(err, &de) {
			return nil, fail(exitFailed, "登记簿文件 %s 损坏了（%v），没有打开它，什么都没有改动。请停用它，换上最近的备份；备份以后收到的日结文件都在 archive/ 里，可以用 postoffice import 重新导入。",
				"the registry file %s is damaged (%v); it was not opened and nothing was changed. Set it aside and put the latest backup in its place; the day files received since are in archive/ and can be imported again with postoffice import.", de.Path, de.Err)
		}
		return r, err
	}
	st, err := pgstore.Open(ctx, db)
	if err != nil {
		return nil, m.dbErr(db, err)
	}
	return registry.New(st, &registry.Options{Now: m.Now}), nil
}

// dbErr says why the database cannot be used, in words for the clerk,
// never with the password the URL carries.
func (m *Main) dbErr(db string, err error) error {
	where := redact(db)
	var ce *pgstore.ConnectError
	var newer *pgstore.NewerError
	var older *pgstore.OlderError
	switch {
	case errors.As(err, &newer):
		return fail(exitFailed, "数据库 %s 是更新版本的 postoffice 建的（数据结构第 %d 版，本程序只认到第 %d 版）。请换用新版本的 postoffice；什么都没有改动。",
			"the database %s was made by a newer postoffice (schema version %d; this program knows up to %d). Use a newer postoffice; nothing was changed.",
			where, newer.Database, newer.Program)
	case errors.As(err, &older):
		return fail(exitFailed, "数据库 %s 还没有准备好（数据结构第 %d 版，本程序要第 %d 版）。请先运行 postoffice init --dir D --db URL；什么都没有改动。",
			"the database %s is not ready (schema version %d; this program needs %d). Run postoffice init --dir D --db URL first; nothing was changed.",
			where, older.Database, older.Program)
	case errors.As(err, &ce) && ce.BadURL():
		return fail(exitUsage, "--db（或 POSTOFFICE_DB）的地址写得不对：%s（%s）。", "--db (or POSTOFFICE_DB) does not read as a database URL: %s (%s).",
			where, scrub(ce.Err.Error(), db))
	case errors.As(err, &ce) && ce.AuthFailed():
		return fail(exitFailed, "连接不上数据库 %s：用户名或密码不对。请检查 --db 或 POSTOFFICE_DB；什么都没有改动。",
			"cannot connect to the database %s: the user name or password is wrong. Check --db or POSTOFFICE_DB; nothing was changed.", where)
	case errors.As(err, &ce):
		return fail(exitFailed, "连接不上数据库 %s：数据库没有应答（%s）。请检查地址，以及数据库是否开着；什么都没有改动。",
			"cannot connect to the database %s: it does not answer (%s). Check the address and that the database is running; nothing was changed.",
			where, scrub(ce.Err.Error(), db))
	}
	return fmt.Errorf("database %s: %s", where, scrub(err.Error(), db))
}

// redact is a database URL with its password, if any, replaced.
func redact(db string) string {
	u, err := url.Parse(db)
	if err != nil {
		return "(a URL that does not read)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// scrub removes the URL's password from a message, should a driver ever
// quote it.
func scrub(msg, db string) string {
	u, err := url.Parse(db)
	if err != nil {
		return "…"
	}
	for _, pw := range []string{func() string { p, _ := u.User.Password(); return p }(), u.Query().Get("password")} {
		if pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "xxxxx")
			msg = strings.ReplaceAll(msg, url.PathEscape(pw), "xxxxx")
		}
	}
	return msg
}
