package registry

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// A key rotation is a station's word, signed with the key in force, that
// from a given entry on it signs with a new key: a note whose text is
//
//	bianmin-key-rotation-v1
//	station T0001
//	new T0001+1c8f02a4+AcG0…
//	from 213
//
// from is the first entry the new key signs; it must follow the last day
// the post office acknowledged, so every entry is covered by exactly one
// key and no acknowledged entry changes hands.
type Rotation struct {
	Station string
	New     string // the new note verifier key
	From    uint64
}

// RotationText is the text of a rotation note.
func (r Rotation) RotationText() string {
	return fmt.Sprintf("bianmin-key-rotation-v1\nstation %s\nnew %s\nfrom %d\n", r.Station, r.New, r.From)
}

func parseRotation(text string) (Rotation, error) {
	var r Rotation
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 4 || lines[0] != "bianmin-key-rotation-v1" {
		return r, errors.New("not a key rotation (bianmin-key-rotation-v1)")
	}
	var ok1, ok2, ok3 bool
	r.Station, ok1 = strings.CutPrefix(lines[1], "station ")
	r.New, ok2 = strings.CutPrefix(lines[2], "new ")
	from, ok3 := strings.CutPrefix(lines[3], "from ")
	n, err := strconv.ParseUint(from, 10, 64)
	if !ok1 || !ok2 || !ok3 || err != nil || n == 0 {
		return r, errors.New("want the lines station, new and from")
	}
	r.From = n
	if r.RotationText() != text {
		return r, errors.New("not written in the one canonical form")
	}
	return r, nil
}

// RotateKey records a station's new key, vouched for by a note signed
// with the key in force (see Rotation). From then on a file is checked
// with the key in force for its entries: files of entries after the
// rotation signed with the old key are refused.
func (r *Registry) RotateKey(ctx context.Context, station string, vouch []byte) (Station, error) {
	var s Station
	err := r.store.Update(ctx, func(tx Tx) error {
		var found bool
		var err error
		if s, found, err = tx.Station(station); err != nil {
			return err
		} else if !found {
			return unknownStation(station)
		}
		if s.Status == Retired {
			return refuse(ErrRetired, s.ID, "station %s retired on %s", s.ID, s.Retirement.Day)
		}
		old, err := note.NewVerifier(s.Key)
		if err != nil {
			return err
		}
		n, err := note.Open(vouch, note.VerifierList(old))
		if err != nil {
			return refuse(ErrWrongKey, s.ID, "the rotation is not signed with the key in force (%s)", fingerprint(s.Key))
		}
		rot, err := parseRotation(n.Text)
		if err != nil {
			return refuse(ErrInput, s.ID, "vouch: %v", err)
		}
		key, err := VerifierKey(rot.New)
		if err != nil {
			return refuse(ErrInput, s.ID, "new: %v", err)
		}
		switch {
		case rot.Station != s.ID || strings.SplitN(key, "+", 2)[0] != s.ID:
			return refuse(ErrInput, s.ID, "station: the rotation is for station %s and key %s", rot.Station, key)
		case s.hasKey(key):
			return refuse(ErrInput, s.ID, "new: station %s has had this key before", s.ID)
		case rot.From != s.Last.Seq+1:
			return refuse(ErrInput, s.ID, "from: the new key must start right after the last acknowledged entry, %d", s.Last.Seq)
		case s.Held > 0:
			return refuse(ErrOpen, s.ID, "%d file(s) of station %s wait for a missing day; import it first", s.Held, s.ID)
		}
		s.Keys = append(s.Keys, KeyChange{Key: key, From: rot.From, Vouch: vouch, At: r.stamp()})
		s.Key = key
		return tx.PutStation(&s)
	})
	return s, err
}

// keyFor returns the key in force for entries from first on.
func (s *Station) keyFor(first uint64) string {
	key := ""
	for _, k := range s.Keys {
		if k.From <= first {
			key = k.Key
		}
	}
	return key
}
