package boltcheck_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/villagepost/bianmin/internal/boltcheck"
	bolt "go.etcd.io/bbolt"
)

// sample makes a bbolt file with what the station's files hold: small
// buckets bbolt keeps inline in their parent's page, a bucket of many
// entries over several leaves under a branch, a value on overflow pages,
// a nested bucket, and free pages from a deleted bucket.
func sample(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sample.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "idem", "gone"} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for i := range 3 {
				if err := b.Put(fmt.Appendf(nil, "%s-%d", name, i), fmt.Appendf(nil, "value %d", i)); err != nil {
					return err
				}
			}
		}
		entries, err := tx.CreateBucket([]byte("entries"))
		if err != nil {
			return err
		}
		for i := range 200 {
			if err := entries.Put(binary.BigEndian.AppendUint64(nil, uint64(i)), bytes.Repeat([]byte{byte(i)}, 60)); err != nil {
				return err
			}
		}
		if err := entries.Put([]byte("big"), bytes.Repeat([]byte("x"), 9000)); err != nil {
			return err
		}
		nested, err := entries.CreateBucket([]byte("nested"))
		if err != nil {
			return err
		}
		return nested.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("gone")) }); err != nil {
		t.Fatal(err)
	}
	return path
}

func check(path string) error {
	if err := boltcheck.Freelist(path); err != nil {
		return err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return boltcheck.Tree(path, db.Info().PageSize)
}

func TestAWholeFilePasses(t *testing.T) {
	if err := check(sample(t)); err != nil {
		t.Fatal(err)
	}
}

// pageOf returns the first page of the file with the given kind whose
// bytes contain want, and the page size.
func pageOf(t *testing.T, data []byte, flags uint16, want string) (int, int) {
	t.Helper()
	ps := int(binary.LittleEndian.Uint32(data[16+8:]))
	for at := 2 * ps; at+ps <= len(data); at += ps {
		if binary.LittleEndian.Uint16(data[at+8:]) == flags && bytes.Contains(data[at:at+ps], []byte(want)) {
			return at, ps
		}
	}
	t.Fatalf("no page of kind %#x holds %q", flags, want)
	return 0, 0
}

// TestDamageBboltWouldMisread makes, one at a time, the damages that make
// bbolt read outside its memory map or loop, and requires each refused
// with a line naming the page.
func TestDamageBboltWouldMisread(t *testing.T) {
	path := sample(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u32 := func(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }
	for _, tc := range []struct {
		name string
		edit func(data []byte)
		want string
	}{
		{"a leaf value's size past its page", func(d []byte) {
			at, _ := pageOf(t, d, 0x02, "\x00\x00\x00\x00\x00\x00\x00\x05")
			u32(d[at+16+12:], 1<<30)
		}, "outside the page"},
		{"a leaf key's position past its page", func(d []byte) {
			at, _ := pageOf(t, d, 0x02, "\x00\x00\x00\x00\x00\x00\x00\x05")
			u32(d[at+16+4:], 1<<20)
		}, "outside the page"},
		{"an inline bucket's value size past the root page", func(d []byte) {
			at, _ := pageOf(t, d, 0x02, "idem-0")
			// The root page's elements: one per bucket, "entries" first.
			u32(d[at+16+16+12:], 1<<16)
		}, "outside the page"},
		{"an element count larger than the page", func(d []byte) {
			at, _ := pageOf(t, d, 0x02, "\x00\x00\x00\x00\x00\x00\x00\x05")
			binary.LittleEndian.PutUint16(d[at+10:], 0xFFF0)
		}, "do not fit"},
		{"a branch pointing at itself", func(d []byte) {
			at, ps := pageOf(t, d, 0x01, "")
			binary.LittleEndian.PutUint64(d[at+16+8:], uint64(at/ps))
		}, "reached twice"},
		{"a branch pointing past the file", func(d []byte) {
			at, _ := pageOf(t, d, 0x01, "")
			binary.LittleEndian.PutUint64(d[at+16+8:], 1<<40)
		}, "outside the file"},
		{"overflow pages past the file", func(d []byte) {
			at, _ := pageOf(t, d, 0x02, "xxxxxxxx")
			u32(d[at+12:], 1<<20)
		}, "past the file"},
		{"a page carrying another id", func(d []byte) {
			at, _ := pageOf(t, d, 0x01, "")
			binary.LittleEndian.PutUint64(d[at:], 1)
		}, "carries the id"},
		{"a free list claiming more pages than the file", func(d []byte) {
			at, _ := pageOf(t, d, 0x10, "")
			binary.LittleEndian.PutUint16(d[at+10:], 0xFFFF)
			binary.LittleEndian.PutUint64(d[at+16:], 1<<40)
		}, "free list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Clone(orig)
			tc.edit(data)
			damaged := filepath.Join(t.TempDir(), "damaged.db")
			if err := os.WriteFile(damaged, data, 0o600); err != nil {
				t.Fatal(err)
			}
			err := check(damaged)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// mapping returns where bbolt has mapped the file of size bytes for db
// (the mapping itself is larger: bbolt maps ahead of the file's end).
func mapping(db *bolt.DB, size int64) (from, to uintptr) {
	ref := reflect.ValueOf(db).Elem().FieldByName("dataref")
	return ref.Pointer(), ref.Pointer() + uintptr(size)
}

// TestEveryFlippedByteReadsInsideTheMapping flips every byte of the live
// pages, one at a time, and requires of each flip that passes the check
// that every key and value bbolt then hands out lies inside its mapping
// of the file's bytes, so that nothing the program holds points elsewhere. bbolt
// may still panic on what it reads (recover catches that) or return other
// bytes (the program's own checks see that).
func TestEveryFlippedByteReadsInsideTheMapping(t *testing.T) {
	path := sample(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var refused, read, panicked int
	for off := range len(orig) {
		if orig[off] == 0 && off%64 != 0 {
			// Page padding and unused space: bbolt does not read it, so
			// every 64th zero byte stands for the rest.
			continue
		}
		data := bytes.Clone(orig)
		data[off] ^= byte(1) << (off % 8)
		work := filepath.Join(dir, fmt.Sprintf("flip-%d.db", off))
		if err := os.WriteFile(work, data, 0o600); err != nil {
			t.Fatal(err)
		}
		switch outside, err := readAll(work); {
		case err == errRefused:
			refused++
		case err != nil:
			panicked++
		case outside != "":
			t.Errorf("byte %d flipped: the check passed and bbolt handed out %s outside its mapping", off, outside)
		default:
			read++
		}
		os.Remove(work)
	}
	t.Logf("%d flips refused by the check, %d read inside the mapping, %d made bbolt panic (recovered)", refused, read, panicked)
	if refused == 0 || read == 0 {
		t.Fatalf("the flips should include both refused and harmless ones")
	}
}

var errRefused = fmt.Errorf("refused")

// readAll checks the file and, if it passes, reads every key and value of
// every bucket, returning the first one outside bbolt's mapping.
func readAll(path string) (outside string, err error) {
	if check(path) != nil {
		return "", errRefused
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return "", errRefused
	}
	defer db.Close()
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	from, to := mapping(db, fi.Size())
	within := func(b []byte, from, to uintptr) bool {
		p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		return len(b) == 0 || p >= from && p+uintptr(len(b)) <= to
	}
	var walk func(b *bolt.Bucket, name string) error
	walk = func(b *bolt.Bucket, name string) error {
		// A bucket kept inline reads from its parent's value: in the
		// mapping, or in a copy bbolt makes when the value is not
		// aligned. That copy is in the Go heap, where a slice past its
		// end is what crashes the program; an inline page is at most a
		// quarter of a page long.
		lo, hi := from, to
		if b.RootPage() == 0 {
			lo = reflect.ValueOf(b).Elem().FieldByName("page").Pointer()
			hi = lo + uintptr(db.Info().PageSize/4)
		}
		return b.ForEach(func(k, v []byte) error {
			if !within(k, lo, hi) {
				return fmt.Errorf("a key of %s", name)
			}
			if v == nil {
				if sub := b.Bucket(k); sub != nil {
					return walk(sub, name+"/"+string(k))
				}
			}
			if !within(v, lo, hi) {
				return fmt.Errorf("the value of %q in %s", k, name)
			}
			return nil
		})
	}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if !within(name, from, to) {
				return fmt.Errorf("a bucket name")
			}
			return walk(b, string(name))
		})
	})
	runtime.KeepAlive(db)
	if err != nil {
		return err.Error(), nil
	}
	return "", nil
}

// FuzzTree damages a station-like file at two places and requires the
// check to refuse it, or bbolt to read only inside the file.
func FuzzTree(f *testing.F) {
	orig, err := os.ReadFile(sample(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(8448), uint32(20490), byte(0x10), byte(0x04))
	f.Add(uint32(2*4096+16+12), uint32(0), byte(0xff), byte(0))
	f.Fuzz(func(t *testing.T, a, b uint32, x, y byte) {
		data := bytes.Clone(orig)
		data[int(a)%len(data)] ^= x
		data[int(b)%len(data)] ^= y
		path := filepath.Join(t.TempDir(), "fuzz.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if outside, err := readAll(path); err == nil && outside != "" {
			t.Fatalf("the check passed and bbolt handed out %s outside its mapping", outside)
		}
	})
}
