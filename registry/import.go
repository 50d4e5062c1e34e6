package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/villagepost/bianmin/charges"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// What became of an imported file.
const (
	Accepted = "accepted" // verified, extends the acknowledged chain: recorded and acknowledged
	Replay   = "replay"   // the same file (or the same day's entries) again: nothing changed
	Held     = "held"     // verified, but days before it are missing: kept until they come
	Fork     = "fork"     // verified, but contradicts what was acknowledged: kept as evidence, station flagged
)

// Outcome says what an import did with one file.
type Outcome struct {
	Status  string
	Station string
	Day     string
	Entries int
	SHA256  string
	// Ack is the signed acknowledgement for the station: of the day
	// accepted, or, for a replay of an accepted day, the one given when
	// it was accepted (the station may have lost it).
	Ack    []byte
	Detail string // Held: the gap; Fork: what it contradicts; Replay: what it repeats
	// Held: the entries missing between the last accepted day and this file.
	GapFrom, GapTo uint64
	GapAfter       string // the last accepted day ("" if none yet)
}

// Importer brings station files into the registry.
type Importer struct {
	Registry *Registry
	Signer   note.Signer   // the post office's key: signs acknowledgements
	Verifier note.Verifier // its public half: checks the acknowledgements files carry
	Archive  string        // folder to keep accepted files in; "" keeps none

	// BeforeCommit, if set, is called in each write transaction just
	// before it commits, with the number of files it decided. Tests use
	// it to stop the program there (a crash mid-import).
	BeforeCommit func(files int)
}

// Checked is a file read and verified on its own: its form, the station
// and key it names against the registry, the signature, every entry from
// its own chain link, and its figures. Check is safe to call from many
// goroutines at once; Commit then decides, one file at a time, where the
// file fits.
type Checked struct {
	Data    []byte
	SHA256  string
	File    *settlement.File
	Entries []ledger.Entry
	Err     error // why the file is refused; Commit returns it
}

// Check reads and verifies data. It changes nothing.
func (r *Registry) Check(ctx context.Context, data []byte) *Checked {
	sum := sha256.Sum256(data)
	c := &Checked{Data: data, SHA256: hex.EncodeToString(sum[:])}
	c.Err = r.check(ctx, c)
	return c
}

func (r *Registry) check(ctx context.Context, c *Checked) error {
	f, err := settlement.Parse(c.Data)
	if err != nil {
		return &Error{Kind: ErrBadFile, Detail: "the file does not read as a settlement file", Err: err}
	}
	s, found, err := r.store.StationKeys(ctx, f.Station)
	if err != nil {
		return err
	}
	if !found {
		return unknownStation(f.Station)
	}
	if s.Status == Retired {
		return refuse(ErrRetired, s.ID, "station %s retired on %s; no file is accepted from it", s.ID, s.Retirement.Day)
	}
	if want := s.keyFor(f.Prev.Seq + 1); f.Key != want {
		if pub, err := PublicKey(f.Key); err != nil || func() error { _, err := settlement.Check(f, c.Data, pub, f.Prev); return err }() != nil {
			// Not even its own key line's key signed it: the file was
			// edited after signing (the key line, or anything else), which
			// is not a matter of enrolling another key.
			return &Error{Kind: ErrBadFile, Station: s.ID, Detail: "the file was changed after it was signed: it does not verify even with the key it names"}
		}
		if s.hasKey(f.Key) {
			return refuse(ErrWrongKey, s.ID, "the file is signed with key %s, which station %s no longer uses for entries from %d; the key in force is %s", f.Fingerprint, s.ID, f.Prev.Seq+1, fingerprint(want))
		}
		return refuse(ErrWrongKey, s.ID, "the file is signed with key %s, not the key enrolled for station %s (%s)", f.Fingerprint, s.ID, fingerprint(want))
	}
	pub, err := PublicKey(f.Key)
	if err != nil {
		return refuse(ErrWrongKey, s.ID, "%v", err)
	}
	// A station's business day ends at its cut-off (e.g. 21:00), after
	// which its entries belong to the next date: a day may be tomorrow's
	// date in the station's zone, never later.
	if today := r.today(f.Zone); f.Day > nextDate(today) {
		return refuse(ErrFuture, s.ID, "the file is for business day %s, but today is %s there", f.Day, today)
	}
	entries, err := settlement.Check(f, c.Data, pub, f.Prev)
	if err != nil {
		return &Error{Kind: ErrBadFile, Station: s.ID, Detail: fmt.Sprintf("day %s does not verify", f.Day), Err: err}
	}
	tariffOf := func(version string) (*tariff.Tariff, error) { return r.Tariff(ctx, version) }
	if err := charges.Check(entries, f.Tariff, tariffOf); err != nil {
		return &Error{Kind: ErrCharges, Station: s.ID, Detail: fmt.Sprintf("day %s charges what the tariff does not allow", f.Day), Err: err}
	}
	c.File, c.Entries = f, entries
	return nil
}

func (s *Station) hasKey(key string) bool {
	for _, k := range s.Keys {
		if k.Key == key {
			return true
		}
	}
	return false
}

func fingerprint(key string) string {
	pub, err := PublicKey(key)
	if err != nil {
		return "?"
	}
	return keyfile.Fingerprint(pub)
}

// today is the registry's date in a station's zone. A zone this machine
// does not know is taken as the furthest ahead (UTC+14), so no station's
// today is refused.
func (r *Registry) today(zone string) string {
	now := r.now()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.FixedZone("UTC+14", 14*3600)
	}
	return now.In(loc).Format(time.DateOnly)
}

// nextDate is the date after day (YYYY-MM-DD).
func nextDate(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// Import commits one checked file, then any held files that now follow
// on. The first outcome is the file's own.
func (im *Importer) Import(ctx context.Context, c *Checked) ([]Outcome, error) {
	o, err := im.Commit(ctx, c)
	if err != nil {
		return nil, err
	}
	out := []Outcome{o}
	if o.Status == Accepted {
		more, err := im.Release(ctx, o.Station)
		out = append(out, more...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Release imports the held files of a station that now follow on from
// its last accepted day, in order.
func (im *Importer) Release(ctx context.Context, station string) ([]Outcome, error) {
	var out []Outcome
	taken := map[string]bool{}
	for {
		data, err := im.Registry.nextHeld(ctx, station)
		if err != nil || data == nil {
			return out, err
		}
		c := im.Registry.Check(ctx, data)
		o, err := im.Commit(ctx, c)
		if err != nil {
			return out, err
		}
		if o.Status == Replay && !taken[c.SHA256] {
			// Another post office process sharing the store took it up
			// between the two reads: it is that one's outcome to tell.
			taken[c.SHA256] = true
			continue
		}
		out = append(out, o)
		if o.Status != Accepted {
			return out, fmt.Errorf("registry: held file of %s day %s was not taken up: %s", o.Station, o.Day, o.Status)
		}
	}
}

// nextHeld returns the held file of the station that starts right after
// its last accepted day, or nil.
func (r *Registry) nextHeld(ctx context.Context, station string) ([]byte, error) {
	s, err := r.Station(ctx, station)
	if err != nil || s.Held == 0 {
		return nil, err
	}
	files, err := r.store.HeldFiles(ctx, station)
	if err != nil {
		return nil, err
	}
	for _, data := range files {
		if f, err := settlement.Parse(data); err == nil && f.Prev == s.Last {
			return data, nil
		}
	}
	return nil, nil
}

// Commit records a checked file: accepted (and acknowledged) when it
// starts right after the station's last accepted day; held when days
// before it are missing; kept as evidence of a fork when it contradicts
// what was acknowledged; nothing when it was imported before. A file is
// recorded whole or not at all.
func (im *Importer) Commit(ctx context.Context, c *Checked) (Outcome, error) {
	if c.Err != nil {
		return Outcome{}, c.Err
	}
	var o Outcome
	err := im.Registry.store.Update(ctx, func(tx Tx) error {
		g := newGroup(tx)
		var err error
		if o, err = im.commit(g, c); err != nil {
			return err
		}
		return im.finish(g, 1)
	})
	if err != nil {
		return Outcome{}, err
	}
	return o, nil
}

// Result is what Import made of one file: its outcomes, or why it was
// refused.
type Result struct {
	Outcomes []Outcome
	Err      error
}

// MaxGroup is how many files ImportMany commits in one transaction at
// most (on a store that groups files: Store.MaxGroup).
const MaxGroup = 256

// ImportMany imports checked files in their order, as Import would one
// after the other, and returns each file's result in the same order. It
// commits many files in one transaction where the store allows it (one
// pair of syncs for the group instead of one per file); each file is
// still decided whole: a refused file writes nothing, and files are
// decided in order, each seeing what the files before it recorded. A
// group ends after a file that lets held files follow on, which are then
// taken up as Import does. If a write fails, nothing of the group is
// recorded and its files are committed one at a time instead, so that
// the failure is the failing file's alone.
func (im *Importer) ImportMany(ctx context.Context, cs []*Checked) []Result {
	res := make([]Result, len(cs))
	size := max(1, min(MaxGroup, im.Registry.store.MaxGroup()))
	for i := 0; i < len(cs); {
		n, release, err := im.commitGroup(ctx, cs[i:min(len(cs), i+size)], res[i:])
		if err != nil {
			for j := i; j < i+n; j++ {
				outs, err := im.Import(ctx, cs[j])
				res[j] = Result{Outcomes: outs, Err: err}
			}
			i += n
			continue
		}
		if release != "" {
			last := &res[i+n-1]
			more, err := im.Release(ctx, release)
			last.Outcomes = append(last.Outcomes, more...)
			last.Err = err
		}
		i += n
	}
	return res
}

// commitGroup commits files from the start of cs in one transaction and
// returns how many it took. release names the station whose held files
// may now follow on (the group ends there); err is a failed write, after
// which nothing of the n files is recorded.
func (im *Importer) commitGroup(ctx context.Context, cs []*Checked, res []Result) (n int, release string, err error) {
	err = im.Registry.store.Update(ctx, func(tx Tx) error {
		g := newGroup(tx)
		n, release = 0, ""
		for _, c := range cs {
			n++
			if c.Err != nil {
				res[n-1] = Result{Err: c.Err}
				continue
			}
			o, err := im.commit(g, c)
			var refusal *Error
			if errors.As(err, &refusal) {
				// Refusals are decided before a file writes anything.
				res[n-1] = Result{Err: err}
				continue
			}
			if err != nil {
				return err
			}
			res[n-1] = Result{Outcomes: []Outcome{o}}
			if o.Status == Accepted && g.stations[o.Station].Held > 0 {
				release = o.Station
				break
			}
		}
		return im.finish(g, n)
	})
	return n, release, err
}

// group is one write transaction of an import: the stations it changed
// (written once, at its end) and the accepted files to archive.
type group struct {
	tx       Tx
	stations map[string]*Station
	changed  map[string]bool
	archive  []*Checked
}

func newGroup(tx Tx) *group {
	return &group{tx: tx, stations: map[string]*Station{}, changed: map[string]bool{}}
}

// station returns the station as the group's files left it so far.
func (g *group) station(id string) (*Station, error) {
	if s, ok := g.stations[id]; ok {
		return s, nil
	}
	s, found, err := g.tx.Station(id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, unknownStation(id)
	}
	g.stations[id] = &s
	return &s, nil
}

// finish ends a transaction's work before it commits.
func (im *Importer) finish(g *group, files int) error {
	if err := g.finish(im.Archive); err != nil {
		return err
	}
	if im.BeforeCommit != nil {
		im.BeforeCommit(files)
	}
	return nil
}

// finish writes the changed stations and the archive copies of the
// accepted files, before the transaction commits (one after the other:
// files created in parallel cost more CPU here, not less):
// a file recorded is archived whole. A crash before the commit may leave
// a copy of a file that was not recorded; importing it again rewrites it.
func (g *group) finish(archive string) error {
	for id := range g.changed {
		if err := g.tx.PutStation(g.stations[id]); err != nil {
			return err
		}
	}
	if archive == "" || len(g.archive) == 0 {
		return nil
	}
	made := map[string]bool{}
	for _, c := range g.archive {
		if id := c.File.Station; !made[id] {
			if err := os.MkdirAll(filepath.Join(archive, id), 0o755); err != nil {
				return fmt.Errorf("registry: archive: %w", err)
			}
			made[id] = true
		}
	}
	for _, c := range g.archive {
		f := c.File
		if err := os.WriteFile(filepath.Join(archive, f.Station, f.Station+"-"+strings.ReplaceAll(f.Day, "-", "")+".bms"), c.Data, 0o644); err != nil {
			return fmt.Errorf("registry: archive: %w", err)
		}
	}
	return nil
}

// commit decides where one checked file fits and records it in the
// group's transaction. A refusal (*Error) is returned before anything of
// the file is written.
func (im *Importer) commit(g *group, c *Checked) (Outcome, error) {
	r, f, tx := im.Registry, c.File, g.tx
	o := Outcome{Station: f.Station, Day: f.Day, Entries: len(f.Records), SHA256: c.SHA256}
	s, err := g.station(f.Station)
	if err != nil {
		return Outcome{}, err
	}
	if s.Status == Retired {
		return Outcome{}, refuse(ErrRetired, s.ID, "station %s retired on %s; no file is accepted from it", s.ID, s.Retirement.Day)
	}
	fr, seen, err := tx.File(s.ID, c.SHA256)
	if err != nil {
		return Outcome{}, err
	}
	// A held file is taken up once the days before it came; any other
	// file seen before changes nothing.
	if seen && (fr.Status != Held || f.Prev != s.Last) {
		o.Status, o.Detail = Replay, "the same file was "+fr.Status+" before"
		if fr.Status == Accepted {
			d, found, err := tx.Day(s.ID, fr.Day)
			if err != nil {
				return Outcome{}, err
			}
			if found {
				o.Ack = d.Ack
			}
		}
		return o, nil
	}
	switch {
	case f.Prev == s.Last:
		if err := im.accept(tx, s, c, &o); err != nil {
			return Outcome{}, err
		}
		g.archive = append(g.archive, c)
	case f.Prev.Seq > s.Last.Seq:
		ev, err := forkedFrom(tx, s.ID, f.Prev)
		if err != nil {
			return Outcome{}, err
		}
		if ev != "" {
			return Outcome{}, refuse(ErrChain, s.ID, "day %s follows the forked file of day %s, not what the post office acknowledged", f.Day, ev)
		}
		if err := hold(tx, s, c, &o); err != nil {
			return Outcome{}, err
		}
	default:
		if err := fork(tx, r.stamp(), s, c, &o); err != nil {
			return Outcome{}, err
		}
	}
	if o.Status != Replay {
		g.changed[s.ID] = true
	}
	return o, nil
}

// accept records a file that extends the station's chain.
func (im *Importer) accept(tx Tx, s *Station, c *Checked, o *Outcome) error {
	f := c.File
	if s.Close != nil {
		prev := &settlement.File{Station: s.ID, Day: s.LastDay, Last: s.Last, Close: *s.Close}
		if err := settlement.Follows(prev, f); err != nil {
			return &Error{Kind: ErrChain, Station: s.ID, Detail: fmt.Sprintf("day %s does not follow on from day %s", f.Day, s.LastDay), Err: err}
		}
	}
	if f.Ack != "" && im.Verifier != nil {
		if err := checkCarriedAck(tx, s.ID, f.Ack, im.Verifier); err != nil {
			return err
		}
	}
	if _, found, err := tx.Day(s.ID, f.Day); err != nil {
		return err
	} else if found {
		return refuse(ErrChain, s.ID, "day %s was accepted before with other entries", f.Day)
	}
	disputes, err := checkDisputes(tx, s.ID, c.Entries, im.Verifier)
	if err != nil {
		return err
	}
	ack, err := settlement.SignAck(settlement.Ack{Station: s.ID, Last: f.Last, Day: f.Day}, im.Signer)
	if err != nil {
		return fmt.Errorf("registry: sign the acknowledgement: %w", err)
	}
	day := Day{Station: s.ID, Day: f.Day, Prev: f.Prev, Last: f.Last, Entries: len(f.Records), SHA256: c.SHA256,
		Close: f.Close, Imported: im.Registry.stamp(), Ack: ack}
	if err := tx.AddDay(&day); err != nil {
		return err
	}
	if err := tx.PutDayFile(s.ID, f.Day, c.Data); err != nil {
		return err
	}
	tb := &traceBook{station: s.ID, day: f.Day, tx: tx, changed: map[uint64]*Trace{}, added: map[uint64]bool{}, outcome: map[uint64]uint64{}}
	for i := range c.Entries {
		if err := tb.add(&c.Entries[i]); err != nil {
			return err
		}
	}
	if err := tb.save(); err != nil {
		return err
	}
	if err := disputes.save(); err != nil {
		return err
	}
	if err := tx.PutFile(c.SHA256, FileRecord{s.ID, f.Day, Accepted}); err != nil {
		return err
	}
	if was, err := tx.DeleteHeld(s.ID, c.SHA256); err != nil {
		return err
	} else if was {
		s.Held--
	}
	closeCopy := f.Close
	s.Last, s.LastDay, s.Close, s.Zone = f.Last, f.Day, &closeCopy, f.Zone
	o.Status, o.Ack = Accepted, ack
	return nil
}

// checkCarriedAck checks the acknowledgement a file carries is one the
// post office gave this station for a day it accepted.
func checkCarriedAck(tx Tx, station, msg string, v note.Verifier) error {
	bad := func(why string) error {
		return refuse(ErrBadFile, station, "the file carries an acknowledgement %s", why)
	}
	a, err := settlement.OpenAck([]byte(msg), v)
	if err != nil {
		return bad("the post office did not sign")
	}
	if a.Station != station {
		return bad("for another station")
	}
	d, found, err := tx.Day(station, a.Day)
	if err != nil {
		return err
	}
	if !found || d.Last != a.Last {
		return bad("for a day the post office did not accept so")
	}
	return nil
}

// hold keeps a verified file that starts after a gap.
func hold(tx Tx, s *Station, c *Checked, o *Outcome) error {
	if err := tx.AddHeld(s.ID, c.SHA256, c.File.Prev, c.Data); err != nil {
		return err
	}
	if err := tx.PutFile(c.SHA256, FileRecord{s.ID, c.File.Day, Held}); err != nil {
		return err
	}
	s.Held++
	o.Status, o.GapFrom, o.GapTo, o.GapAfter = Held, s.Last.Seq+1, c.File.Prev.Seq, s.LastDay
	o.Detail = fmt.Sprintf("entries %d to %d are missing: the file of at least one business day between %s and %s has not come",
		o.GapFrom, o.GapTo, orStart(s.LastDay), c.File.Day)
	return nil
}

func orStart(day string) string {
	if day == "" {
		return "the station's start"
	}
	return day
}

// fork keeps a verified file that contradicts what was acknowledged, and
// flags the station. A file that repeats the entries of an accepted day
// (written again, with the same entries) is a replay.
func fork(tx Tx, now time.Time, s *Station, c *Checked, o *Outcome) error {
	f := c.File
	d, found, err := tx.Day(s.ID, f.Day)
	if err != nil {
		return err
	}
	if found && d.Prev == f.Prev && d.Last == f.Last {
		o.Status, o.Detail, o.Ack = Replay, "day "+f.Day+" was accepted before with the same entries", d.Ack
		return nil
	}
	why := fmt.Sprintf("day %s (entries %d to %d) contradicts what the post office acknowledged up to entry %d (day %s)",
		f.Day, f.Prev.Seq+1, f.Last.Seq, s.Last.Seq, s.LastDay)
	ev := Evidence{Station: s.ID, Day: f.Day, SHA256: c.SHA256, Reason: why, Received: now, File: c.Data}
	if err := tx.AddEvidence(&ev); err != nil {
		return err
	}
	if err := tx.PutFile(c.SHA256, FileRecord{s.ID, f.Day, Fork}); err != nil {
		return err
	}
	s.Forks++
	o.Status, o.Detail = Fork, why
	return nil
}

// forkedFrom returns the day of a fork kept as evidence that ends at
// checkpoint at, or "".
func forkedFrom(tx Tx, station string, at ledger.Checkpoint) (string, error) {
	list, err := tx.Evidence(station)
	if err != nil {
		return "", err
	}
	day := ""
	for _, ev := range list {
		if f, err := settlement.Parse(ev.File); err == nil && f.Last == at {
			day = f.Day
		}
	}
	return day, nil
}
