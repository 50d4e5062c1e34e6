package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// runEnrol enrols every station of a generated region in a post office
// registry in PostgreSQL, as postoffice enrol does one at a time (the
// same registry code, in one process: thousands of stations in seconds
// rather than one program start each). The database must have the
// schema (postoffice init --db); the tariff is issued first.
func runEnrol(args []string) error {
	fs := flag.NewFlagSet("enrol", flag.ContinueOnError)
	data := fs.String("data", "", "what region generate wrote")
	db := fs.String("db", "", "the registry's database, postgres://…")
	signed := fs.String("tariff", "", "the tariff the post office signed (postoffice tariff sign)")
	poKey := fs.String("postoffice-key", "", "the post office's verifier key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *db == "" || *signed == "" || *poKey == "" {
		return fmt.Errorf("enrol: want --data, --db, --tariff and --postoffice-key")
	}
	v, err := note.NewVerifier(*poKey)
	if err != nil {
		return fmt.Errorf("enrol: --postoffice-key: %w", err)
	}
	body, err := os.ReadFile(*signed)
	if err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	t, err := tariff.Open(body, v)
	if err != nil {
		return fmt.Errorf("enrol: %s: %w", *signed, err)
	}
	ctx := context.Background()
	st, err := pgstore.Open(ctx, *db)
	if err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	r := registry.New(st, nil)
	defer r.Close()
	if err := r.Issue(ctx, t); err != nil {
		return fmt.Errorf("enrol: issue %s: %w", t.Version, err)
	}
	f, err := os.Open(filepath.Join(*data, "keys.txt"))
	if err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	defer f.Close()
	start := time.Now()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id, key, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		_, err := r.Enrol(ctx, registry.Enrolment{Station: id, Key: key, Franchisee: "店主 " + id, Deposit: decimal.NewFromInt(20000), Tariff: t.Version})
		if err != nil {
			return fmt.Errorf("enrol %s: %w", id, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	fmt.Printf("enrolled %d stations in %.1f s\n", n, time.Since(start).Seconds())
	return nil
}
