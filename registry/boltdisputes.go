package registry

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bDisputes holds, per station, its dispute entries: entry (big-endian)
// → DisputeEntry (JSON). It is made by the first write that needs it, so
// a registry made before it opens as it was.
var bDisputes = []byte("disputes")

func (b *boltStore) DisputeEntries(ctx context.Context, station string, fn func(DisputeEntry) error) error {
	return b.view(ctx, func(tx *bolt.Tx) error {
		top := tx.Bucket(bDisputes)
		if top == nil {
			return nil
		}
		list := top.Bucket([]byte(station))
		if list == nil {
			return nil
		}
		return list.ForEach(func(k, v []byte) error {
			var d DisputeEntry
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("registry: %s dispute entry %x: %w", station, k, err)
			}
			return fn(d)
		})
	})
}

func (t *boltTx) DisputeEntry(station string, seq uint64) (*DisputeEntry, error) {
	top := t.tx.Bucket(bDisputes)
	if top == nil {
		return nil, nil
	}
	list := top.Bucket([]byte(station))
	if list == nil {
		return nil, nil
	}
	v := list.Get(u64(seq))
	if v == nil {
		return nil, nil
	}
	var d DisputeEntry
	if err := json.Unmarshal(v, &d); err != nil {
		return nil, fmt.Errorf("registry: %s dispute entry %d: %w", station, seq, err)
	}
	return &d, nil
}

func (t *boltTx) PutDisputeEntries(station string, list []*DisputeEntry) error {
	top, err := t.tx.CreateBucketIfNotExists(bDisputes)
	if err != nil {
		return err
	}
	b, err := top.CreateBucketIfNotExists([]byte(station))
	if err != nil {
		return err
	}
	for _, d := range list {
		if err := putJSON(b, u64(d.Seq), d); err != nil {
			return err
		}
	}
	return nil
}
