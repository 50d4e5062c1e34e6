package registry

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The registry keeps each accepted day file as the station sent it, with
// its day, so that every post office server sharing the registry can
// read it (the hand-over's reading of what a leaving station owes,
// disputes kept before the registry kept what they say, a clerk's copy),
// not only the server whose archive/ folder it was written to. A day
// accepted before the registry kept files has none until KeepDayFile
// records it from the folder that has it.

// DayFile returns the file of an accepted day as the station sent it;
// found is false when the registry keeps none for the day.
func (r *Registry) DayFile(ctx context.Context, station, day string) (file []byte, found bool, err error) {
	file, found, err = r.store.DayFile(ctx, station, day)
	if err != nil {
		return nil, false, fmt.Errorf("registry: the file of %s day %s: %w", station, day, err)
	}
	return file, found, nil
}

// KeepDayFile records the file of an accepted day the registry keeps no
// file for (accepted before it kept them, read back from an archive
// folder). The file must be the one accepted: its SHA-256 is the day's.
// A file kept already stays as it is.
func (r *Registry) KeepDayFile(ctx context.Context, station, day string, file []byte) error {
	return r.store.Update(ctx, func(tx Tx) error {
		d, found, err := tx.Day(station, day)
		if err != nil {
			return err
		}
		if !found {
			return refuse(ErrInput, station, "day %s was not accepted; only an accepted day's file is kept", day)
		}
		if sha := shaOf(file); sha != d.SHA256 {
			return refuse(ErrInput, station, "the file for day %s has SHA-256 %s, not %s of the file accepted", day, sha, d.SHA256)
		}
		return tx.PutDayFile(station, day, file)
	})
}

// bDayFiles holds, per station, its accepted files: day (YYYY-MM-DD) →
// the file as received. It is made by the first file kept, so a registry
// made before it opens as it was.
var bDayFiles = []byte("dayfiles")

func (b *boltStore) DayFile(ctx context.Context, station, day string) (file []byte, found bool, err error) {
	err = b.view(ctx, func(tx *bolt.Tx) error {
		top := tx.Bucket(bDayFiles)
		if top == nil {
			return nil
		}
		files := top.Bucket([]byte(station))
		if files == nil {
			return nil
		}
		if v := files.Get([]byte(day)); v != nil {
			file, found = append([]byte(nil), v...), true
		}
		return nil
	})
	return file, found, err
}

// PutDayFile keeps the file unless one is kept for the day.
func (t *boltTx) PutDayFile(station, day string, file []byte) error {
	top, err := t.tx.CreateBucketIfNotExists(bDayFiles)
	if err != nil {
		return err
	}
	files, err := top.CreateBucketIfNotExists([]byte(station))
	if err != nil {
		return err
	}
	if files.Get([]byte(day)) != nil {
		return nil
	}
	return files.Put([]byte(day), file)
}
