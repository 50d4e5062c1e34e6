// Package pgstore keeps the post office's registry in PostgreSQL, for a
// province or more run as several postoffice servers on one database
// that a distributed engine (Citus-style) can shard by station
// (docs/scale-out.md).
//
// The schema is versioned: each file in migrations/ (NNNN_name.sql) is
// one version, applied once, in order, in its own transaction, and
// recorded in schema_version. A few embedded SQL files are enough here: a
// migration library would bring its own command, its own table and
// support for databases we do not use, and we need only two things of it,
// which are below (apply in order under a lock, and refuse a database
// newer than the program).
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one version of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("pgstore: migration %s: want NNNN_name.sql", n)
		}
		body, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		list = append(list, migration{v, name, string(body)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	for i, m := range list {
		if m.version != i+1 {
			return nil, fmt.Errorf("pgstore: migrations are not numbered 1, 2, 3…: %d is %s", i+1, m.name)
		}
	}
	return list, nil
}

// Version is the schema version this program knows.
func Version() int {
	list, err := migrations()
	if err != nil || len(list) == 0 {
		return 0
	}
	return list[len(list)-1].version
}

// NewerError means the database was made by a newer program: this one
// would not understand it, and changes nothing in it.
type NewerError struct {
	Database, Program int
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("pgstore: the database has schema version %d, newer than this program's %d: use a newer postoffice program", e.Database, e.Program)
}

// migrateLock is the advisory lock that makes two programs migrating at
// once take turns.
const migrateLock = 0x62_69_61_6e_6d_69_6e // "bianmin"

// Migrate brings the schema of the database up to this program's
// version. Two programs migrating at once take turns; each version is
// applied once, whole or not at all. A database newer than the program is
// refused with a *NewerError.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (applied []string, err error) {
	list, err := migrations()
	if err != nil {
		return nil, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgstore: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return nil, fmt.Errorf("pgstore: migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("pgstore: migrate: %w", err)
	}
	current, err := currentVersion(ctx, conn.Conn())
	if err != nil {
		return nil, err
	}
	if program := list[len(list)-1].version; current > program {
		return nil, &NewerError{current, program}
	}
	for _, m := range list[current:] {
		err := pgx.BeginFunc(ctx, conn.Conn(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("pgstore: migration %04d_%s: %w", m.version, m.name, err)
		}
		applied = append(applied, fmt.Sprintf("%04d_%s", m.version, m.name))
	}
	return applied, nil
}

// Check reports whether the database has exactly this program's schema:
// an older one must be migrated first (postoffice init --db), a newer one
// is refused with a *NewerError.
func Check(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	defer conn.Release()
	current, err := currentVersion(ctx, conn.Conn())
	if err != nil {
		return err
	}
	switch program := Version(); {
	case current > program:
		return &NewerError{current, program}
	case current < program:
		return &OlderError{current, program}
	}
	return nil
}

// OlderError means the database's schema is older than the program's:
// postoffice init --db brings it up to date.
type OlderError struct {
	Database, Program int
}

func (e *OlderError) Error() string {
	return fmt.Sprintf("pgstore: the database has schema version %d, older than this program's %d: run postoffice init --db to bring it up to date", e.Database, e.Program)
}

func currentVersion(ctx context.Context, conn *pgx.Conn) (int, error) {
	var v *int
	err := conn.QueryRow(ctx, "SELECT max(version) FROM schema_version").Scan(&v)
	var missing bool
	if err != nil {
		missing = isUndefinedTable(err)
		if !missing {
			return 0, fmt.Errorf("pgstore: schema version: %w", err)
		}
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

func isUndefinedTable(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) && pe.SQLState() == "42P01"
}
