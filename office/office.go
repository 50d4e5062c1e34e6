// Package office is the regional post office assembled: its folder, its
// signing key, its registry, and the operations that the postoffice
// commands and its server both perform on them (import a day file and
// acknowledge it, give a station its acknowledgements and tariff; enrol,
// reconcile, make statements, rotate a key, retire, keep staff accounts
// for the staff's web pages). The rules themselves live in the registry,
// reconcile and statement packages; this package only puts the pieces
// together, so that the command line, the station API and the staff's
// pages cannot decide differently.
package office

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// Office is a post office folder opened with its key unlocked.
type Office struct {
	Dir      string
	Signer   note.Signer   // the post office's key
	Verifier note.Verifier // its public half
	// Registry is the registry held open for the office's whole life: a
	// command's, or a server's on a shared database (PostgreSQL), where
	// several processes use it at once anyway. When nil (a server on the
	// embedded bbolt file), the registry in Dir is opened for each
	// operation and closed after it, so that the postoffice commands can
	// use it between two requests; operations then take turns.
	Registry *registry.Registry
	Now      func() time.Time // the registry's clock; time.Now if nil

	mu      sync.Mutex
	checked bool // the registry file's pages were checked at the first open
}

// now is the registry's clock.
func (o *Office) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// RegistryFile is the registry's file in the office's folder.
const RegistryFile = "registry.db"

// use runs fn with the registry.
func (o *Office) use(fn func(*registry.Registry) error) error {
	if o.Registry != nil {
		return fn(o.Registry)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := registry.Open(filepath.Join(o.Dir, RegistryFile), &registry.Options{Now: o.Now, Checked: o.checked})
	if err != nil {
		return err
	}
	o.checked = true
	err = fn(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return err
}

// Station returns the station enrolled as id.
func (o *Office) Station(ctx context.Context, id string) (registry.Station, error) {
	var s registry.Station
	err := o.use(func(r *registry.Registry) (err error) {
		s, err = r.Station(ctx, id)
		return err
	})
	return s, err
}

// AckPath is where an acknowledgement is written: DIR/acks/T0001-20261120.ack.
func AckPath(acks, station, day string) string {
	return filepath.Join(acks, station+"-"+strings.ReplaceAll(day, "-", "")+".ack")
}

// Import checks a day file and commits it, as postoffice import does: the
// first outcome is the file's own, the rest are held days it let in. The
// registry keeps each accepted day with its file and acknowledgement,
// for every server sharing it; the file is also copied to DIR/archive
// and the acknowledgement written to DIR/acks, for a USB stick: that of
// an accepted day, and again that of a day accepted before (by this
// server or another) when its file comes again. A refused file returns a
// *registry.Error and changes nothing.
func (o *Office) Import(ctx context.Context, data []byte) ([]registry.Outcome, error) {
	var outs []registry.Outcome
	err := o.use(func(r *registry.Registry) (err error) {
		im := &registry.Importer{Registry: r, Signer: o.Signer, Verifier: o.Verifier, Archive: filepath.Join(o.Dir, "archive")}
		outs, err = im.Import(ctx, r.Check(ctx, data))
		return err
	})
	for _, out := range outs {
		if out.Status != registry.Accepted && (out.Status != registry.Replay || out.Ack == nil) {
			continue
		}
		if werr := WriteAck(filepath.Join(o.Dir, "acks"), out.Station, out.Day, out.Ack); werr != nil && err == nil {
			err = werr
		}
	}
	return outs, err
}

// WriteAck writes one acknowledgement into the folder acks.
func WriteAck(acks, station, day string, ack []byte) error {
	if err := os.MkdirAll(acks, 0o755); err != nil {
		return fmt.Errorf("office: acknowledgements folder: %w", err)
	}
	path := AckPath(acks, station, day)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, ack, 0o644); err != nil {
		return fmt.Errorf("office: write acknowledgement %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("office: write acknowledgement %s: %w", path, err)
	}
	return nil
}

// Acks returns the acknowledgements of the station's accepted days after
// day after ("" for all), oldest first, from the registry (which keeps
// each one it signed).
func (o *Office) Acks(ctx context.Context, station, after string) ([][]byte, error) {
	var acks [][]byte
	from := ""
	if after != "" {
		t, err := time.Parse(time.DateOnly, after)
		if err != nil {
			return nil, fmt.Errorf("office: acknowledgements after %q: want YYYY-MM-DD", after)
		}
		from = t.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	err := o.use(func(r *registry.Registry) error {
		return r.Days(ctx, station, from, "", func(d registry.Day) error {
			acks = append(acks, d.Ack)
			return nil
		})
	})
	return acks, err
}

// AckFor returns the acknowledgement of one accepted day, or nil.
func (o *Office) AckFor(ctx context.Context, station, day string) ([]byte, error) {
	var ack []byte
	err := o.use(func(r *registry.Registry) error {
		d, found, err := r.Day(ctx, station, day)
		if found {
			ack = d.Ack
		}
		return err
	})
	return ack, err
}

// ErrNoTariff means no tariff was issued to the station.
var ErrNoTariff = errors.New("office: no tariff was issued to the station")

// Tariff returns the version of the tariff issued to the station and
// that tariff signed by the post office, as postoffice tariff sign
// writes it (signatures are deterministic: the same body and key give the
// same file).
func (o *Office) Tariff(ctx context.Context, station string) (version string, signed []byte, err error) {
	var t *tariff.Tariff
	err = o.use(func(r *registry.Registry) error {
		s, err := r.Station(ctx, station)
		if err != nil {
			return err
		}
		if s.Tariff == "" {
			return ErrNoTariff
		}
		t, err = r.Tariff(ctx, s.Tariff)
		if err != nil {
			return fmt.Errorf("office: tariff %s of %s: %w", s.Tariff, station, err)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	body, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return "", nil, fmt.Errorf("office: tariff %s: %w", t.Version, err)
	}
	signed, err = tariff.Sign(append(body, '\n'), o.Signer)
	if err != nil {
		return "", nil, fmt.Errorf("office: sign tariff %s: %w", t.Version, err)
	}
	return t.Version, signed, nil
}

// AddNonce records the nonce of a station API request in the registry's
// store when the store keeps them (a database several servers share):
// fresh says no server took the request before. shared is false when the
// store keeps none; the server then remembers nonces itself.
func (o *Office) AddNonce(ctx context.Context, station, nonce string, until, now time.Time) (fresh, shared bool, err error) {
	if o.Registry == nil {
		return false, false, nil
	}
	n, ok := o.Registry.Store().(registry.Nonces)
	if !ok {
		return false, false, nil
	}
	fresh, err = n.AddNonce(ctx, station, nonce, until, now)
	return fresh, true, err
}
