package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/villagepost/bianmin/settlement"
)

// FileLister is a store that can list every file record it keeps (what
// became of each file, by its SHA-256), as copying a registry needs.
type FileLister interface {
	Files(ctx context.Context, fn func(sha string, fr FileRecord) error) error
}

// Counts is how many records of each kind a registry holds.
type Counts struct {
	Stations, Keys, Days, Traces, Files, Held, Evidence, Staff, Tariffs int
	Reconciliations, Exceptions                                         int
	Disputes                                                            int // dispute entries
	Decisions                                                           int // the post office's decisions on disputes
	DayFiles                                                            int // accepted day files kept as received
}

// Empty says the registry holds nothing.
func (c Counts) Empty() bool { return c == Counts{} }

// Empty reports whether a store holds no station, staff account or
// tariff (and so nothing at all: every other record is a station's).
func Empty(ctx context.Context, st Store) (bool, error) {
	stations, err := st.Stations(ctx)
	if err != nil || len(stations) > 0 {
		return false, err
	}
	staff, err := st.StaffList(ctx)
	if err != nil || len(staff) > 0 {
		return false, err
	}
	tariffs, err := st.Tariffs(ctx)
	return err == nil && len(tariffs) == 0, err
}

// Copy writes everything the store from holds into the store to, in one
// transaction of to: every station with its keys, days (and the files
// kept of them), traces, held files and evidence, every file record, staff account and tariff,
// exactly as from keeps them. It counts what it copied. to should be
// empty (Empty); Copy does not look.
func Copy(ctx context.Context, from, to Store) (Counts, error) {
	var n Counts
	lister, ok := from.(FileLister)
	if !ok {
		return n, fmt.Errorf("registry: copy: the store copied from cannot list its files")
	}
	stations, err := from.Stations(ctx)
	if err != nil {
		return n, err
	}
	staff, err := from.StaffList(ctx)
	if err != nil {
		return n, err
	}
	versions, err := from.Tariffs(ctx)
	if err != nil {
		return n, err
	}
	reconciled, err := from.Reconciliations(ctx)
	if err != nil {
		return n, err
	}
	err = to.Update(ctx, func(tx Tx) error {
		n = Counts{}
		for _, v := range versions {
			body, _, err := from.Tariff(ctx, v)
			if err != nil {
				return err
			}
			if _, err := tx.IssueTariff(v, body); err != nil {
				return err
			}
			n.Tariffs++
		}
		for i := range staff {
			if _, err := tx.AddStaff(&staff[i]); err != nil {
				return err
			}
			n.Staff++
		}
		for i := range stations {
			s := &stations[i]
			if _, err := tx.AddStation(s); err != nil {
				return err
			}
			n.Stations++
			n.Keys += len(s.Keys)
			var days []string
			err := from.Days(ctx, s.ID, "", "", func(d Day) error {
				n.Days++
				days = append(days, d.Day)
				return tx.AddDay(&d)
			})
			if err != nil {
				return fmt.Errorf("registry: copy the days of %s: %w", s.ID, err)
			}
			for _, day := range days {
				file, found, err := from.DayFile(ctx, s.ID, day)
				if err == nil && found {
					n.DayFiles++
					err = tx.PutDayFile(s.ID, day, file)
				}
				if err != nil {
					return fmt.Errorf("registry: copy the file of %s day %s: %w", s.ID, day, err)
				}
			}
			var traces []*Trace
			err = from.Traces(ctx, s.ID, 0, 1<<63-1, func(t Trace) error {
				traces = append(traces, &t)
				return nil
			})
			if err != nil {
				return fmt.Errorf("registry: copy the traces of %s: %w", s.ID, err)
			}
			if err := tx.PutTraces(s.ID, traces, nil); err != nil {
				return err
			}
			n.Traces += len(traces)
			held, err := from.HeldFiles(ctx, s.ID)
			if err != nil {
				return err
			}
			for _, data := range held {
				f, err := settlement.Parse(data)
				if err != nil {
					return fmt.Errorf("registry: copy a held file of %s: %w", s.ID, err)
				}
				if err := tx.AddHeld(s.ID, shaOf(data), f.Prev, data); err != nil {
					return err
				}
				n.Held++
			}
			evidence, err := from.Evidence(ctx, s.ID)
			if err != nil {
				return err
			}
			for i := range evidence {
				if err := tx.AddEvidence(&evidence[i]); err != nil {
					return err
				}
				n.Evidence++
			}
			var disputes []*DisputeEntry
			err = from.DisputeEntries(ctx, s.ID, func(d DisputeEntry) error {
				disputes = append(disputes, &d)
				return nil
			})
			if err != nil {
				return fmt.Errorf("registry: copy the dispute entries of %s: %w", s.ID, err)
			}
			if err := tx.PutDisputeEntries(s.ID, disputes); err != nil {
				return err
			}
			n.Disputes += len(disputes)
			err = from.Decisions(ctx, s.ID, func(d Decision) error {
				first, err := tx.AddDecision(d)
				if err == nil && first != nil && !bytes.Equal(first.Note, d.Note) {
					err = fmt.Errorf("registry: copy the decision on %s: the target holds another", TraceOf(d.Station, d.Dispute))
				}
				n.Decisions++
				return err
			})
			if err != nil {
				return fmt.Errorf("registry: copy the decisions of %s: %w", s.ID, err)
			}
		}
		for _, r := range reconciled {
			found, err := from.Exceptions(ctx, "", r.Day, r.Day)
			if err != nil {
				return err
			}
			if err := tx.PutReconciliation(r, found); err != nil {
				return err
			}
			n.Reconciliations++
			n.Exceptions += len(found)
		}
		return lister.Files(ctx, func(sha string, fr FileRecord) error {
			n.Files++
			return tx.PutFile(sha, fr)
		})
	})
	return n, err
}

func shaOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Compare reads everything both stores hold and says where they differ,
// record by record, one station at a time; it counts a's records. Times
// are compared to the microsecond, which is what every store keeps
// (older bbolt registries hold nanoseconds).
func Compare(ctx context.Context, a, b Store) (Counts, error) {
	var n Counts
	both := func(kind string, read func(Store) ([][]byte, error)) (int, error) {
		ra, err := read(a)
		if err != nil {
			return 0, err
		}
		rb, err := read(b)
		if err != nil {
			return 0, err
		}
		if len(ra) != len(rb) {
			return 0, fmt.Errorf("registry: compare: %d %s against %d", len(ra), kind, len(rb))
		}
		for i := range ra {
			if !bytes.Equal(ra[i], rb[i]) {
				return 0, fmt.Errorf("registry: compare: %s differ:\n%s\n%s", kind, ra[i], rb[i])
			}
		}
		return len(ra), nil
	}
	var err error
	if n.Tariffs, err = both("tariffs", func(st Store) ([][]byte, error) { return tariffRecords(ctx, st) }); err != nil {
		return n, err
	}
	if n.Staff, err = both("staff accounts", func(st Store) ([][]byte, error) { return staffRecords(ctx, st) }); err != nil {
		return n, err
	}
	if n.Files, err = both("file records", func(st Store) ([][]byte, error) { return fileRecords(ctx, st) }); err != nil {
		return n, err
	}
	if n.Reconciliations, err = both("reconciliations", func(st Store) ([][]byte, error) { return reconciliationRecords(ctx, st) }); err != nil {
		return n, err
	}
	if n.Exceptions, err = both("exceptions", func(st Store) ([][]byte, error) { return exceptionRecords(ctx, st) }); err != nil {
		return n, err
	}
	stations, err := a.Stations(ctx)
	if err != nil {
		return n, err
	}
	if n.Stations, err = both("stations", func(st Store) ([][]byte, error) { return stationRecords(ctx, st) }); err != nil {
		return n, err
	}
	for _, s := range stations {
		n.Keys += len(s.Keys)
		for _, kind := range []string{"days", "traces", "held files", "evidence", "dispute entries", "decisions", "day files"} {
			c, err := both(kind+" of "+s.ID, func(st Store) ([][]byte, error) { return stationData(ctx, st, s.ID, kind) })
			if err != nil {
				return n, err
			}
			switch kind {
			case "days":
				n.Days += c
			case "traces":
				n.Traces += c
			case "held files":
				n.Held += c
			case "dispute entries":
				n.Disputes += c
			case "decisions":
				n.Decisions += c
			case "day files":
				n.DayFiles += c
			default:
				n.Evidence += c
			}
		}
	}
	return n, nil
}

// µs is a time as every store keeps it.
func µs(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// records is a list of records as canonical JSON.
type records [][]byte

func (r *records) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*r = append(*r, b)
	return nil
}

func tariffRecords(ctx context.Context, st Store) ([][]byte, error) {
	var out records
	versions, err := st.Tariffs(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		body, _, err := st.Tariff(ctx, v)
		if err != nil {
			return nil, err
		}
		if err := out.add([]string{v, string(body)}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func reconciliationRecords(ctx context.Context, st Store) ([][]byte, error) {
	var out records
	list, err := st.Reconciliations(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range list {
		r.At = µs(r.At)
		if err := out.add(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func exceptionRecords(ctx context.Context, st Store) ([][]byte, error) {
	var out records
	list, err := st.Reconciliations(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range list {
		found, err := st.Exceptions(ctx, "", r.Day, r.Day)
		if err != nil {
			return nil, err
		}
		for _, e := range found {
			if err := out.add(e); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func staffRecords(ctx context.Context, st Store) ([][]byte, error) {
	var out records
	list, err := st.StaffList(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		s.Created = µs(s.Created)
		if err := out.add(s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func stationRecords(ctx context.Context, st Store) ([][]byte, error) {
	var out records
	list, err := st.Stations(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		s.Enrolled = µs(s.Enrolled)
		for i := range s.Keys {
			s.Keys[i].At = µs(s.Keys[i].At)
		}
		if err := out.add(s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func fileRecords(ctx context.Context, st Store) ([][]byte, error) {
	lister, ok := st.(FileLister)
	if !ok {
		return nil, fmt.Errorf("registry: compare: a store cannot list its files")
	}
	type file struct {
		SHA string
		FileRecord
	}
	var files []file
	err := lister.Files(ctx, func(sha string, fr FileRecord) error {
		files = append(files, file{sha, fr})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].SHA < files[j].SHA })
	var out records
	for _, f := range files {
		if err := out.add(f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stationData is one kind of a station's records: days, traces, held
// files or evidence.
func stationData(ctx context.Context, st Store, id, kind string) ([][]byte, error) {
	var out records
	switch kind {
	case "days":
		err := st.Days(ctx, id, "", "", func(d Day) error {
			d.Imported = µs(d.Imported)
			return out.add(d)
		})
		return out, err
	case "traces":
		err := st.Traces(ctx, id, 0, 1<<63-1, func(t Trace) error { return out.add(t) })
		return out, err
	case "dispute entries":
		err := st.DisputeEntries(ctx, id, func(d DisputeEntry) error { return out.add(d) })
		return out, err
	case "decisions":
		err := st.Decisions(ctx, id, func(d Decision) error {
			d.At = µs(d.At)
			return out.add(d)
		})
		return out, err
	case "day files":
		var days []string
		err := st.Days(ctx, id, "", "", func(d Day) error {
			days = append(days, d.Day)
			return nil
		})
		for _, day := range days {
			if err != nil {
				break
			}
			var file []byte
			var found bool
			if file, found, err = st.DayFile(ctx, id, day); err == nil && found {
				err = out.add(struct {
					Day  string `json:"day"`
					File []byte `json:"file"`
				}{day, file})
			}
		}
		return out, err
	case "held files":
		held, err := st.HeldFiles(ctx, id)
		if err != nil {
			return nil, err
		}
		sort.Slice(held, func(i, j int) bool { return shaOf(held[i]) < shaOf(held[j]) })
		for _, h := range held {
			if err := out.add(h); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	evidence, err := st.Evidence(ctx, id)
	if err != nil {
		return nil, err
	}
	sort.Slice(evidence, func(i, j int) bool { return evidence[i].SHA256 < evidence[j].SHA256 })
	for _, e := range evidence {
		e.Received = µs(e.Received)
		if err := out.add(e); err != nil {
			return nil, err
		}
	}
	return out, nil
}
