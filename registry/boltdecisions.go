package registry

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bDecisions holds, per station, the post office's decisions on its
// disputes: dispute entry (big-endian) → Decision (JSON). It is made by
// the first decision, so a registry made before it opens as it was.
var bDecisions = []byte("decisions")

func (b *boltStore) Decisions(ctx context.Context, station string, fn func(Decision) error) error {
	return b.view(ctx, func(tx *bolt.Tx) error {
		top := tx.Bucket(bDecisions)
		if top == nil {
			return nil
		}
		each := func(name []byte, list *bolt.Bucket) error {
			return list.ForEach(func(k, v []byte) error {
				var d Decision
				if err := json.Unmarshal(v, &d); err != nil {
					return fmt.Errorf("registry: %s decision %x: %w", name, k, err)
				}
				return fn(d)
			})
		}
		if station != "" {
			list := top.Bucket([]byte(station))
			if list == nil {
				return nil
			}
			return each([]byte(station), list)
		}
		return top.ForEach(func(k, _ []byte) error {
			if list := top.Bucket(k); list != nil {
				return each(k, list)
			}
			return nil
		})
	})
}

func (t *boltTx) AddDecision(d Decision) (*Decision, error) {
	top, err := t.tx.CreateBucketIfNotExists(bDecisions)
	if err != nil {
		return nil, err
	}
	list, err := top.CreateBucketIfNotExists([]byte(d.Station))
	if err != nil {
		return nil, err
	}
	if v := list.Get(u64(d.Dispute)); v != nil {
		var first Decision
		if err := json.Unmarshal(v, &first); err != nil {
			return nil, fmt.Errorf("registry: %s decision %d: %w", d.Station, d.Dispute, err)
		}
		return &first, nil
	}
	return nil, putJSON(list, u64(d.Dispute), &d)
}
