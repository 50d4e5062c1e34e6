package office_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
	bolt "go.etcd.io/bbolt"
)

// A day accepted by one server is there for the other: its file (for a
// clerk, and for what a leaving station owes villagers) and, when the
// same file comes to the other by USB stick, its acknowledgement in that
// server's acks/ folder for the stick.
func TestDayFilesOnTwoServers(t *testing.T) {
	for _, store := range []string{"bbolt", "postgres"} {
		t.Run(store, func(t *testing.T) {
			servers := twoServers(t, store)
			a, b := servers[0], servers[1]
			ctx := t.Context()
			file, _ := disputeFile(t)
			outs, err := a.Import(ctx, file)
			if err != nil || len(outs) != 1 || outs[0].Status != registry.Accepted {
				t.Fatalf("import: %+v, %v", outs, err)
			}
			const day = "2026-11-20"
			if _, err := os.Stat(b.ArchivePath("T0001", day)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the second server's folder has a copy (%v): the test does not test what it should", err)
			}
			for i, o := range servers {
				got, err := o.DayFile(ctx, "T0001", day)
				if err != nil || !bytes.Equal(got, file) {
					t.Errorf("server %d: the day's file: %d bytes, %v; want the %d bytes sent", i, len(got), err, len(file))
				}
			}
			var re *registry.Error
			if _, err := b.DayFile(ctx, "T0001", "2026-11-21"); !errors.As(err, &re) || re.Kind != registry.ErrInput {
				t.Errorf("a day not accepted: %v", err)
			}
			if _, err := b.DayFile(ctx, "T0009", day); !errors.As(err, &re) || re.Kind != registry.ErrUnknownStation {
				t.Errorf("a station not enrolled: %v", err)
			}
			// What the station owes villagers (its open dispute) reads
			// the same on both.
			var owed [2]string
			for i, o := range servers {
				items, last, err := o.Owed(ctx, "T0001")
				if err != nil || len(items) == 0 || last.Seq == 0 {
					t.Fatalf("server %d: owed %+v through %d, %v", i, items, last.Seq, err)
				}
				for _, it := range items {
					owed[i] += it.Line() + "\n"
				}
			}
			if owed[0] != owed[1] {
				t.Errorf("the servers read different items:\n%s\n%s", owed[0], owed[1])
			}
			// The same file brought to the second server by USB stick: a
			// replay, with the acknowledgement the first gave, written to
			// the second's acks/ for the stick.
			outs, err = b.Import(ctx, file)
			if err != nil || len(outs) != 1 || outs[0].Status != registry.Replay || outs[0].Ack == nil {
				t.Fatalf("again on the second server: %+v, %v", outs, err)
			}
			first, err := os.ReadFile(office.AckPath(filepath.Join(a.Dir, "acks"), "T0001", day))
			if err != nil {
				t.Fatal(err)
			}
			second, err := os.ReadFile(office.AckPath(filepath.Join(b.Dir, "acks"), "T0001", day))
			if err != nil || !bytes.Equal(first, second) || !bytes.Equal(outs[0].Ack, first) {
				t.Errorf("the second server's acks/: %q, %v; want the first's %q", second, err, first)
			}
		})
	}
}

// A post office from before the registry kept day files: a day's file is
// read from the folder's archive once, checked to be the file accepted,
// and kept in the registry from then on; a copy that is not the file
// accepted is refused, and a day whose file is nowhere is said plainly.
func TestDayFilesFromBeforeAreTakenIn(t *testing.T) {
	for _, store := range []string{"bbolt", "postgres"} {
		t.Run(store, func(t *testing.T) {
			o := twoServers(t, store)[0]
			ctx := t.Context()
			file, _ := disputeFile(t)
			if _, err := o.Import(ctx, file); err != nil {
				t.Fatal(err)
			}
			// Forget the registry's copy, as a registry from before has none.
			forget := func() {
				t.Helper()
				if store == "postgres" {
					c, err := pgx.Connect(ctx, pgURL(t))
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close(context.Background())
					if _, err := c.Exec(ctx, "DELETE FROM day_files"); err != nil {
						t.Fatal(err)
					}
					return
				}
				// The bbolt file is the registry's own: close it, drop the
				// bucket, open it again.
				path := filepath.Join(t.TempDir(), "registry.db")
				if err := copyRegistry(o, path); err != nil {
					t.Fatal(err)
				}
				reg := o.Registry
				t.Cleanup(func() { reg.Close() })
			}
			const day = "2026-11-20"
			archived := o.ArchivePath("T0001", day)
			forget()
			// A copy that is not the file accepted is not taken in.
			if err := os.WriteFile(archived, append(bytes.Clone(file), '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			var me *office.MissingFileError
			if _, err := o.DayFile(ctx, "T0001", day); !errors.As(err, &me) || !me.Differs || me.Path != archived {
				t.Errorf("an archive copy that is not the file accepted: %v", err)
			}
			if err := os.WriteFile(archived, file, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, _, err := o.Owed(ctx, "T0001"); err != nil {
				t.Fatal(err)
			}
			// Taken in: found without the folder's copy now.
			if err := os.Remove(archived); err != nil {
				t.Fatal(err)
			}
			if got, err := o.DayFile(ctx, "T0001", day); err != nil || !bytes.Equal(got, file) {
				t.Errorf("after it was taken in: %d bytes, %v", len(got), err)
			}
			forget()
			if _, _, err := o.Owed(ctx, "T0001"); !errors.As(err, &me) || me.Differs || me.Day != day || me.Path != archived {
				t.Errorf("a day whose file is nowhere: %v", err)
			}
		})
	}
}

// copyRegistry makes o's bbolt registry one from before day files were
// kept: a copy of it without them, which o then uses.
func copyRegistry(o *office.Office, path string) error {
	ctx := context.Background()
	st, err := registry.OpenBolt(path, false)
	if err != nil {
		return err
	}
	if _, err := registry.Copy(ctx, o.Registry.Store(), st); err != nil {
		st.Close()
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("dayfiles")) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if st, err = registry.OpenBolt(path, false); err != nil {
		return err
	}
	o.Registry = registry.New(st, nil)
	return nil
}
