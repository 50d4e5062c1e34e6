package registry

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/villagepost/bianmin/tariff"
	bolt "go.etcd.io/bbolt"
)

// bTariffs holds every tariff the post office issued: version → its body
// (JSON), as signed.
var bTariffs = []byte("tariffs")

// Issue records a tariff the post office signed, so that stations' files
// can be checked against it (package charges). The caller has checked the
// post office's signature (tariff.Open). Issuing the same tariff again
// changes nothing; another tariff under a version already issued is
// refused, since stations' entries name their tariff by version.
func (r *Registry) Issue(t *tariff.Tariff) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("registry: tariff %s: %w", t.Version, err)
	}
	err = r.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bTariffs)
		if err != nil {
			return err
		}
		switch old := b.Get([]byte(t.Version)); {
		case old == nil:
			return b.Put([]byte(t.Version), body)
		case bytes.Equal(old, body):
			return nil
		default:
			return refuse(ErrInput, "", "version: a different tariff was issued as %s already; give the new prices a new version", t.Version)
		}
	})
	if err != nil {
		return err
	}
	r.tariffs.Delete(t.Version)
	return nil
}

// Tariff returns the tariff issued as version.
func (r *Registry) Tariff(version string) (*tariff.Tariff, error) {
	if t, ok := r.tariffs.Load(version); ok {
		return t.(*tariff.Tariff), nil
	}
	var body []byte
	err := r.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bTariffs); b != nil {
			body = bytes.Clone(b.Get([]byte(version)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, fmt.Errorf("tariff %q was not issued by this post office", version)
	}
	t, err := tariff.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("registry: tariff %s as stored: %w", version, err)
	}
	r.tariffs.Store(version, t)
	return t, nil
}

// Tariffs returns the versions of every tariff issued, in order.
func (r *Registry) Tariffs() ([]string, error) {
	var list []string
	err := r.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTariffs)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			list = append(list, string(k))
			return nil
		})
	})
	return list, err
}
