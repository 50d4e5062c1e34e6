// Package office is the regional post office assembled: its folder, its
// signing key, its registry, and the operations that the postoffice
// commands and its server both perform on them (import a day file and
// acknowledge it, give a station its acknowledgements and tariff). The
// rules themselves live in the registry; this package only puts the
// pieces together, so that the command line and the server cannot
// decide differently.
package office

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// Office is a post office folder opened with its key unlocked.
type Office struct {
	Dir      string
	Registry *registry.Registry
	Signer   note.Signer   // the post office's key
	Verifier note.Verifier // its public half
}

// AckPath is where an acknowledgement is written: DIR/acks/T0001-20261120.ack.
func AckPath(acks, station, day string) string {
	return filepath.Join(acks, station+"-"+strings.ReplaceAll(day, "-", "")+".ack")
}

// Import checks a day file and commits it, as postoffice import does: the
// first outcome is the file's own, the rest are held days it let in. Each
// accepted day's acknowledgement is written to DIR/acks. A refused file
// returns a *registry.Error and changes nothing.
func (o *Office) Import(data []byte) ([]registry.Outcome, error) {
	im := &registry.Importer{Registry: o.Registry, Signer: o.Signer, Verifier: o.Verifier, Archive: filepath.Join(o.Dir, "archive")}
	outs, err := im.Import(o.Registry.Check(data))
	for _, out := range outs {
		if out.Status != registry.Accepted {
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
func (o *Office) Acks(station, after string) ([][]byte, error) {
	var acks [][]byte
	from := ""
	if after != "" {
		from = after + "\x00" // the first key after the day itself
	}
	err := o.Registry.Days(station, from, "", func(d registry.Day) error {
		acks = append(acks, d.Ack)
		return nil
	})
	return acks, err
}

// AckFor returns the acknowledgement of one accepted day, or nil.
func (o *Office) AckFor(station, day string) ([]byte, error) {
	d, found, err := o.Registry.Day(station, day)
	if err != nil || !found {
		return nil, err
	}
	return d.Ack, nil
}

// ErrNoTariff means no tariff was issued to the station.
var ErrNoTariff = errors.New("office: no tariff was issued to the station")

// Tariff returns the version of the tariff issued to the station and
// that tariff signed by the post office, as postoffice tariff sign
// writes it (signatures are deterministic: the same body and key give the
// same file).
func (o *Office) Tariff(station string) (version string, signed []byte, err error) {
	s, err := o.Registry.Station(station)
	if err != nil {
		return "", nil, err
	}
	if s.Tariff == "" {
		return "", nil, ErrNoTariff
	}
	t, err := o.Registry.Tariff(s.Tariff)
	if err != nil {
		return "", nil, fmt.Errorf("office: tariff %s of %s: %w", s.Tariff, station, err)
	}
	body, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return "", nil, fmt.Errorf("office: tariff %s: %w", s.Tariff, err)
	}
	signed, err = tariff.Sign(append(body, '\n'), o.Signer)
	if err != nil {
		return "", nil, fmt.Errorf("office: sign tariff %s: %w", s.Tariff, err)
	}
	return t.Version, signed, nil
}
