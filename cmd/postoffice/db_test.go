package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/registry/pgstore"
	"github.com/villagepost/bianmin/tariff"
)

// TestDatabase: a post office on PostgreSQL. init --db makes the key and
// the schema; every command then keeps the registry in the database (the
// key, archive and acknowledgements stay in --dir, and no registry.db is
// made); --db and POSTOFFICE_DB are the same thing.
func TestDatabase(t *testing.T) {
	db := pgtest.DB(t)
	dir := filepath.Join(t.TempDir(), "po")
	env := map[string]string{"POSTOFFICE_PASSPHRASE": "regional office passphrase"}
	withDB := map[string]string{"POSTOFFICE_PASSPHRASE": env["POSTOFFICE_PASSPHRASE"], "POSTOFFICE_DB": db}
	r := po(t, env, "init", "--dir", dir, "--name", "xinyang-postoffice", "--db", db)
	if r.code != 0 || !strings.Contains(r.out, "数据结构升到第") || !strings.Contains(r.out, "已生成邮政支局签名密钥") {
		t.Fatalf("init --db: %+v", r)
	}
	if r := po(t, env, "init", "--dir", dir, "--db", db); r.code != 0 || !strings.Contains(r.out, "没有改动") {
		t.Errorf("init --db again: %+v", r)
	}
	in := filepath.Join(t.TempDir(), "tariff.json")
	os.WriteFile(in, tariff.DemoJSON, 0o644)
	if r := po(t, withDB, "tariff", "sign", "--dir", dir, in); r.code != 0 {
		t.Fatalf("tariff sign: %+v", r)
	}
	const key = "T0001+98092494+AZw1P1drFqh7maieoFILH32rGQh2eVUKVrsLQoRxk7rk" // settlement's test station
	r = po(t, env, "enrol", "--dir", dir, "--db", db, "--station", "T0001", "--pubkey", key, "--franchisee", "王秀英",
		"--deposit", "20000.00", "--tariff", strings.TrimSuffix(in, ".json")+".signed")
	if r.code != 0 {
		t.Fatalf("enrol: %+v", r)
	}
	scenarios := filepath.Join("..", "..", "settlement", "testdata", "scenarios")
	r = po(t, withDB, "import", "--dir", dir, filepath.Join(scenarios, "intact-day1.bms"), filepath.Join(scenarios, "intact-day3.bms"))
	if r.code != exitAttention || !strings.Contains(r.out, "接受 1 个营业日") || !strings.Contains(r.out, "缺日") {
		t.Errorf("import of day 1 and day 3: %+v", r)
	}
	r = po(t, withDB, "import", "--dir", dir, filepath.Join(scenarios, "intact-day2.bms"), filepath.Join(scenarios, "intact-day1.bms"))
	if r.code != 0 || !strings.Contains(r.out, "接受 2 个营业日") || !strings.Contains(r.out, "重复 1 个") {
		t.Errorf("import of day 2 (day 3 follows) and day 1 again: %+v", r)
	}
	for _, day := range []string{"20261120", "20261121", "20261122"} {
		if _, err := os.Stat(filepath.Join(dir, "acks", "T0001-"+day+".ack")); err != nil {
			t.Errorf("acknowledgement of %s: %v", day, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "archive", "T0001", "T0001-"+day+".bms")); err != nil {
			t.Errorf("archive copy of %s: %v", day, err)
		}
	}
	if r := po(t, withDB, "stations", "--dir", dir); r.code != 0 || !strings.Contains(r.out, "2026-11-22") {
		t.Errorf("stations: %+v", r)
	}
	if r := po(t, withDB, "statement", "--dir", dir, "--station", "T0001", "--month", "2026-11"); r.code != 0 {
		t.Errorf("statement: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, registryFile)); err == nil {
		t.Errorf("a registry.db was made beside a database")
	}
	// Without the database the folder's own (empty) registry is used.
	if r := po(t, env, "stations", "--dir", dir); r.code != 0 || !strings.Contains(r.out, "还没有登记") {
		t.Errorf("stations without --db: %+v", r)
	}
	pool, err := pgxpool.New(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var days int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM days WHERE station_id = 'T0001'").Scan(&days); err != nil || days != 3 {
		t.Errorf("the database holds %d days (%v), want 3", days, err)
	}

	t.Run("NewerSchema", func(t *testing.T) {
		newer := pgtest.DB(t)
		if r := po(t, env, "init", "--dir", dir, "--db", newer); r.code != 0 {
			t.Fatalf("init: %+v", r)
		}
		p, err := pgxpool.New(t.Context(), newer)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if _, err := p.Exec(t.Context(), "INSERT INTO schema_version (version, name) VALUES ($1, 'from_the_future')", pgstore.Version()+1); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"stations", "--dir", dir, "--db", newer}, {"init", "--dir", dir, "--db", newer}} {
			r := po(t, env, args...)
			if r.code != exitFailed || !strings.Contains(r.err, "更新版本的 postoffice") {
				t.Errorf("%s on a newer database: %+v", args[0], r)
			}
		}
	})
	t.Run("EmptyDatabase", func(t *testing.T) {
		r := po(t, env, "stations", "--dir", dir, "--db", pgtest.DB(t))
		if r.code != exitFailed || !strings.Contains(r.err, "postoffice init --dir D --db URL") {
			t.Errorf("stations on an empty database: %+v", r)
		}
	})
}

// TestDatabaseRefusals: a wrong password, a database that is down and a
// URL that is not PostgreSQL's are each said plainly, in Chinese and in
// English, and the password in the URL is never printed.
func TestDatabaseRefusals(t *testing.T) {
	db := pgtest.DB(t)
	const password = "Sesame-Open-7731"
	good := pgtest.Role(t, db, password)
	dir := filepath.Join(t.TempDir(), "po")
	env := map[string]string{"POSTOFFICE_PASSPHRASE": "regional office passphrase"}
	if r := po(t, env, "init", "--dir", dir, "--name", "xinyang-postoffice"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	wrong := strings.Replace(good, password, "Not-"+password, 1)
	u, _ := url.Parse(good)
	down := "postgres://" + u.User.String() + "@/postgres?host=" + url.QueryEscape(filepath.Join(t.TempDir(), "no-server"))
	for _, c := range []struct {
		name, db, zh, en string
		code             int
	}{
		{"WrongPassword", wrong, "用户名或密码不对", "the user name or password is wrong", exitFailed},
		{"PasswordInTheQuery", strings.Replace(db, "sslmode=disable", "sslmode=disable&user="+u.User.Username()+"&password=Not-"+password, 1), "用户名或密码不对", "the user name or password is wrong", exitFailed},
		{"Down", down, "数据库没有应答", "it does not answer", exitFailed},
		{"NotPostgres", "mysql://root:" + password + "@localhost/registry", "postgres://用户@主机/数据库", "a URL like postgres://", exitUsage},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{"zh", "en"} {
				for _, args := range [][]string{{"stations", "--dir", dir, "--db", c.db}, {"init", "--dir", dir, "--db", c.db}} {
					r := po(t, env, append([]string{"--lang", lang}, args...)...)
					want := c.zh
					if lang == "en" {
						want = c.en
					}
					if r.code != c.code || !strings.Contains(r.err, want) {
						t.Errorf("%s %s: exit %d %q; want exit %d saying %q", lang, args[0], r.code, r.err, c.code, want)
					}
					if strings.Contains(r.err+r.out, password) {
						t.Errorf("%s %s printed the password: %q", lang, args[0], r.err+r.out)
					}
				}
			}
			// The environment form says the same.
			r := po(t, map[string]string{"POSTOFFICE_DB": c.db}, "stations", "--dir", dir)
			if r.code != c.code || !strings.Contains(r.err, c.zh) || strings.Contains(r.err, password) {
				t.Errorf("POSTOFFICE_DB: %+v", r)
			}
		})
	}
	// The right password connects (the database is empty: init first).
	r := po(t, env, "stations", "--dir", dir, "--db", good)
	if r.code != exitFailed || !strings.Contains(r.err, "postoffice init") || strings.Contains(r.err, password) {
		t.Errorf("the right password: %+v", r)
	}
}

// TestMigrate: postoffice migrate copies a regional post office's bbolt
// registry into an empty database, proves the copy and prints the
// counts; the post office then works on the database as it did on the
// file. A database that holds a registry already is refused, and so is
// a folder without one.
func TestMigrate(t *testing.T) {
	db := pgtest.DB(t)
	dir, env, signed := newPostOffice(t)
	const key = testStationKey
	if r := po(t, env, "enrol", "--dir", dir, "--station", "T0001", "--pubkey", key, "--franchisee", "王秀英", "--deposit", "20000.00",
		"--tariff", signed); r.code != 0 {
		t.Fatalf("enrol: %+v", r)
	}
	scenarios := filepath.Join("..", "..", "settlement", "testdata", "scenarios")
	po(t, env, "import", "--dir", dir, filepath.Join(scenarios, "intact-day1.bms"), filepath.Join(scenarios, "intact-day3.bms"))
	if r := po(t, map[string]string{"POSTOFFICE_STAFF_PASSWORD": "a long clerk password"}, "staff", "add", "--dir", dir, "--id", "alice", "--name", "李丽", "--role", "clerk"); r.code != 0 {
		t.Fatalf("staff add: %+v", r)
	}
	before := po(t, env, "stations", "--dir", dir)

	r := po(t, env, "migrate", "--from-dir", dir, "--db", db)
	if r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	for _, want := range []string{"逐条读回核对，一致", "服务站", "营业日", "暂存文件", "员工账号"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("migrate does not say %q:\n%s", want, r.out)
		}
	}
	if r := po(t, env, "--lang", "en", "stations", "--dir", dir, "--db", db); r.code != 0 {
		t.Fatalf("stations on the database: %+v", r)
	}
	if after := po(t, env, "stations", "--dir", dir, "--db", db); after.out != before.out {
		t.Errorf("stations on the database:\n%s\non the file:\n%s", after.out, before.out)
	}
	// The held day 3 is taken up from the database when day 2 comes.
	r = po(t, env, "import", "--dir", dir, "--db", db, filepath.Join(scenarios, "intact-day2.bms"))
	if r.code != 0 || !strings.Contains(r.out, "接受 2 个营业日") {
		t.Errorf("import on the database after the move: %+v", r)
	}
	if r := po(t, env, "migrate", "--from-dir", dir, "--db", db); r.code != exitFailed || !strings.Contains(r.err, "已经有登记簿") {
		t.Errorf("migrate into a database that holds a registry: %+v", r)
	}
	if r := po(t, env, "migrate", "--from-dir", t.TempDir(), "--db", pgtest.DB(t)); r.code != exitFailed || !strings.Contains(r.err, "没有登记簿") {
		t.Errorf("migrate from a folder without a registry: %+v", r)
	}
	if r := po(t, env, "migrate", "--from-dir", dir); r.code != exitUsage || !strings.Contains(r.err, "--db") {
		t.Errorf("migrate without a database: %+v", r)
	}
}
