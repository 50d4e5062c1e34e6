package boltcheck_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/villagepost/bianmin/internal/boltcheck"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkCheck64MB checks a file of 64 MB of values shaped like a region's registry
// with its day files (16,384 values of 4 KB under one bucket): what
// every postoffice command and a server's first request pay before they
// read registry.db.
func BenchmarkCheck64MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "registry.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	value := bytes.Repeat([]byte("x"), 4096)
	for batch := range 16 {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("dayfiles"))
			if err != nil {
				return err
			}
			for i := range 1024 {
				if err := bk.Put(binary.BigEndian.AppendUint64(nil, uint64(batch*1024+i)), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	pageSize := db.Info().PageSize
	db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := boltcheck.Freelist(path); err != nil {
			b.Fatal(err)
		}
		if err := boltcheck.Tree(path, pageSize); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
}
