package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/villagepost/bianmin/tariff"
)

// Issue records a tariff the post office signed, so that stations' files
// can be checked against it (package charges). The caller has checked the
// post office's signature (tariff.Open). Issuing the same tariff again
// changes nothing; another tariff under a version already issued is
// refused, since stations' entries name their tariff by version.
func (r *Registry) Issue(ctx context.Context, t *tariff.Tariff) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("registry: tariff %s: %w", t.Version, err)
	}
	err = r.store.Update(ctx, func(tx Tx) error {
		old, err := tx.IssueTariff(t.Version, body)
		switch {
		case err != nil || old == nil || bytes.Equal(old, body):
			return err
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
func (r *Registry) Tariff(ctx context.Context, version string) (*tariff.Tariff, error) {
	if t, ok := r.tariffs.Load(version); ok {
		return t.(*tariff.Tariff), nil
	}
	body, found, err := r.store.Tariff(ctx, version)
	if err != nil {
		return nil, err
	}
	if !found {
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
func (r *Registry) Tariffs(ctx context.Context) ([]string, error) {
	return r.store.Tariffs(ctx)
}
