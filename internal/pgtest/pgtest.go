// Package pgtest gives a test its own PostgreSQL database on the
// throwaway cluster that test.sh starts (scripts/pgtest.sh), named by
// POSTOFFICE_TEST_DB. Without it a test skips, saying how to get one,
// except under CI=true, where it fails: CI must prove the project starts
// what its tests need.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DB creates an empty database for the test and returns its URL; it is
// dropped when the test ends.
func DB(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("POSTOFFICE_TEST_DB")
	if base == "" {
		msg := "POSTOFFICE_TEST_DB is not set: ./test.sh starts a throwaway PostgreSQL (scripts/pgtest.sh; Debian package postgresql)"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", base, err)
	}
	defer admin.Close(context.Background())
	var b [6]byte
	rand.Read(b[:])
	name := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Role makes a role that signs in with password and may connect to the
// database at dbURL, and returns the URL of that database as the role
// (user and password in it). The role is dropped when the test ends.
func Role(tb testing.TB, dbURL, password string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", dbURL, err)
	}
	defer admin.Close(context.Background())
	var b [6]byte
	rand.Read(b[:])
	name := "role_" + hex.EncodeToString(b[:])
	db := admin.Config().Database
	quoted := pgx.Identifier{name}.Sanitize()
	for _, sql := range []string{
		"CREATE ROLE " + quoted + " LOGIN PASSWORD " + quoteLiteral(password),
		"GRANT CONNECT ON DATABASE " + pgx.Identifier{db}.Sanitize() + " TO " + quoted,
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			tb.Fatalf("pgtest: make a role: %v", err)
		}
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, os.Getenv("POSTOFFICE_TEST_DB"))
		if err != nil {
			tb.Errorf("pgtest: drop role %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		c.Exec(ctx, "REVOKE CONNECT ON DATABASE "+pgx.Identifier{db}.Sanitize()+" FROM "+quoted)
		if _, err := c.Exec(ctx, "DROP ROLE IF EXISTS "+quoted); err != nil {
			tb.Errorf("pgtest: drop role %s: %v", name, err)
		}
	})
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	u.User = url.UserPassword(name, password)
	return u.String()
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
