package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"

	"github.com/villagepost/bianmin/internal/textwidth"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
)

// runMigrate copies a regional post office's bbolt registry into an
// empty PostgreSQL database (making its schema), then reads both back,
// record by record, to prove the copy, and prints what it copied.
func (m *Main) runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	from := fs.String("from-dir", "", "the post office folder whose registry.db is copied")
	db := m.dbFlag(fs)
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if *from == "" {
		return missingFlag("from-dir", "请用 --from-dir 给出要搬的邮政支局数据文件夹（里面有 registry.db）。", "give the post office folder to move (it holds registry.db) with --from-dir.")
	}
	url, err := m.database(*db)
	if err != nil {
		return err
	}
	if url == "" {
		return missingFlag("db", "请用 --db（或 POSTOFFICE_DB）给出要搬去的 PostgreSQL 数据库，postgres://…。", "give the PostgreSQL database to move to with --db (or POSTOFFICE_DB), postgres://….")
	}
	path := filepath.Join(*from, registryFile)
	if _, err := os.Stat(path); err != nil {
		return fail(exitFailed, "%s 里没有登记簿（registry.db），没有可搬的。", "%s holds no registry (registry.db); there is nothing to move.", *from)
	}
	src, err := registry.Open(path, &registry.Options{Now: m.Now})
	if errors.Is(err, registry.ErrInUse) {
		return fail(exitFailed, "登记簿正被另一个 postoffice 程序使用（例如 postoffice serve）；请先停下它，搬的时候登记簿不能有改动。",
			"the registry is in use by another postoffice program (postoffice serve, say); stop it first: the registry must not change while it is moved.")
	}
	if err != nil {
		return err
	}
	defer src.Close()
	pool, err := pgstore.Connect(ctx, url)
	if err != nil {
		return m.dbErr(url, err)
	}
	defer pool.Close()
	if _, err := pgstore.Migrate(ctx, pool); err != nil {
		return m.dbErr(url, err)
	}
	dst := pgstore.New(pool)
	empty, err := registry.Empty(ctx, dst)
	if err != nil {
		return m.dbErr(url, err)
	}
	if !empty {
		return fail(exitFailed, "数据库 %s 里已经有登记簿了（有服务站、员工账号或价目表）。只能搬进空的数据库；什么都没有改动。",
			"the database %s already holds a registry (stations, staff accounts or tariffs). A registry can only be moved into an empty database; nothing was changed.", redact(url))
	}
	copied, err := registry.Copy(ctx, src.Store(), dst)
	if err != nil {
		return m.dbErr(url, err)
	}
	checked, err := registry.Compare(ctx, src.Store(), dst)
	if err != nil || checked != copied {
		return fail(exitFailed, "复制后逐条核对，数据库和 %s 不一致：%v。请不要用这个数据库，把情况告诉技术人员。",
			"the copy was read back record by record and the database differs from %s: %v. Do not use the database; tell the technician.", path, err)
	}
	t := textwidth.Table{Right: map[int]bool{1: true}}
	t.Add(m.say("记录", "records"), m.say("条数", "count"))
	for _, r := range []struct {
		zh, en string
		n      int
	}{
		{"服务站", "stations", copied.Stations}, {"密钥", "keys", copied.Keys}, {"营业日", "days", copied.Days},
		{"主机请求", "traces", copied.Traces}, {"文件记录", "file records", copied.Files}, {"暂存文件", "held files", copied.Held},
		{"分叉留证", "evidence", copied.Evidence}, {"员工账号", "staff accounts", copied.Staff}, {"价目表", "tariffs", copied.Tariffs},
		{"对账日", "days reconciled", copied.Reconciliations}, {"对账差错", "exceptions", copied.Exceptions},
		{"纠纷与答复", "dispute entries", copied.Disputes}, {"支局的答复", "decisions", copied.Decisions},
		{"日结文件", "day files", copied.DayFiles},
	} {
		t.Add(m.say(r.zh, r.en), strconv.Itoa(r.n))
	}
	m.printf("已把 %s 的登记簿搬进数据库 %s，并逐条读回核对，一致：\n", "Moved the registry of %s into the database %s and read it back record by record; identical:\n", *from, redact(url))
	if err := t.Write(m.Stdout); err != nil {
		return err
	}
	m.printf("从现在起请用 --db（或 POSTOFFICE_DB）运行 postoffice；%s 里的 registry.db 不再用，留作备份。\n",
		"From now on run postoffice with --db (or POSTOFFICE_DB); %s's registry.db is no longer used: keep it as a backup.\n", *from)
	return nil
}
