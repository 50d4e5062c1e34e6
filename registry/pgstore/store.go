package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
)

// Store is the registry in a PostgreSQL database. Several post office
// processes may share one: each import is one transaction that locks its
// station's row, so two of them never decide the same station's file at
// once.
type Store struct {
	pool *pgxpool.Pool
	// retries is how many times a transaction is run again after a
	// serialization failure or a deadlock before the error is returned.
	retries int
}

var _ registry.Store = (*Store)(nil)

// Open connects to the database at url and checks that its schema is
// this program's (Check): an empty or older database must first be
// brought up to date with Migrate (postoffice init --db), a newer one is
// refused.
func Open(ctx context.Context, url string) (*Store, error) {
	pool, err := Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := Check(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return New(pool), nil
}

// Connect opens a pool of connections to the database at url and makes
// sure the database answers. Errors are a *ConnectError.
func Connect(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &ConnectError{Err: err, parse: true}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &ConnectError{Err: err}
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, &ConnectError{Err: err}
	}
	return pool, nil
}

// ConnectError means the database could not be reached or refused the
// connection.
type ConnectError struct {
	Err   error
	parse bool // the URL itself does not read
}

func (e *ConnectError) Error() string {
	if e.parse {
		return "pgstore: the database URL does not read: " + e.Err.Error()
	}
	return "pgstore: cannot connect to the database: " + e.Err.Error()
}

func (e *ConnectError) Unwrap() error { return e.Err }

// BadURL says the URL itself is wrong (not the server or the password).
func (e *ConnectError) BadURL() bool { return e.parse }

// AuthFailed says the server refused the user name or password.
func (e *ConnectError) AuthFailed() bool {
	var pe *pgconn.PgError
	return errors.As(e.Err, &pe) && (pe.Code == "28P01" || pe.Code == "28000")
}

// New returns the store on an open pool whose schema was checked.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool, retries: 20} }

// Pool returns the store's pool of connections.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// MaxGroup is one: a file is one transaction, which locks one station.
func (s *Store) MaxGroup() int { return 1 }

// Retryable says err is a serialization failure or a deadlock: the
// transaction was rolled back and may simply be run again.
func Retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Update runs fn in one READ COMMITTED transaction. A station is locked
// (SELECT … FOR UPDATE) when the transaction first reads it to change
// it, so every later statement sees what the transaction before it on
// that station committed. A serialization failure or a deadlock rolls
// the transaction back and runs it again, after a short random pause;
// they are not shown to the user.
func (s *Store) Update(ctx context.Context, fn func(registry.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
			return fn(&pgTx{ctx: ctx, tx: tx, keys: map[string]int{}})
		})
		if err == nil || !Retryable(err) || attempt >= s.retries {
			return err
		}
		pause := time.Duration(rand.IntN(10*(attempt+1))+1) * time.Millisecond
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return err
		}
	}
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

const stationColumns = `station_id, franchisee, deposit::text, tariff, key, zone, enrolled, status, forks, held,
	last_seq, last_hash, coalesce(to_char(last_day, 'YYYY-MM-DD'), ''), close, retirement`

func scanStation(row pgx.Row) (registry.Station, error) {
	var (
		s                 registry.Station
		deposit           string
		lastSeq           int64
		lastHash          []byte
		close, retirement []byte
	)
	err := row.Scan(&s.ID, &s.Franchisee, &deposit, &s.Tariff, &s.Key, &s.Zone, &s.Enrolled, &s.Status, &s.Forks, &s.Held,
		&lastSeq, &lastHash, &s.LastDay, &close, &retirement)
	if err != nil {
		return s, err
	}
	s.Enrolled = s.Enrolled.UTC()
	if s.Deposit, err = decimal.NewFromString(deposit); err != nil {
		return s, fmt.Errorf("deposit %q: %w", deposit, err)
	}
	if s.Last, err = checkpoint(lastSeq, lastHash); err != nil {
		return s, err
	}
	if close != nil {
		s.Close = new(settlement.Close)
		if err := json.Unmarshal(close, s.Close); err != nil {
			return s, fmt.Errorf("close: %w", err)
		}
	}
	if retirement != nil {
		s.Retirement = new(registry.Retirement)
		if err := json.Unmarshal(retirement, s.Retirement); err != nil {
			return s, fmt.Errorf("retirement: %w", err)
		}
	}
	return s, nil
}

func checkpoint(seq int64, hash []byte) (ledger.Checkpoint, error) {
	var c ledger.Checkpoint
	if seq < 0 || len(hash) != len(c.Hash) {
		return c, fmt.Errorf("checkpoint %d: a hash of %d bytes", seq, len(hash))
	}
	c.Seq = uint64(seq)
	copy(c.Hash[:], hash)
	return c, nil
}

// station reads one station and its keys; lock takes its row for the
// transaction.
func station(ctx context.Context, q querier, id string, lock bool) (registry.Station, bool, error) {
	sql := "SELECT " + stationColumns + " FROM stations WHERE station_id = $1"
	if lock {
		sql += " FOR UPDATE"
	}
	s, err := scanStation(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("pgstore: station %s: %w", id, err)
	}
	s.Keys, err = stationKeys(ctx, q, id)
	return s, err == nil, err
}

func stationKeys(ctx context.Context, q querier, id string) ([]registry.KeyChange, error) {
	rows, err := q.Query(ctx, "SELECT key, from_seq, vouch, at FROM station_keys WHERE station_id = $1 ORDER BY from_seq", id)
	if err != nil {
		return nil, fmt.Errorf("pgstore: keys of %s: %w", id, err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (registry.KeyChange, error) {
		var k registry.KeyChange
		var from int64
		err := row.Scan(&k.Key, &from, &k.Vouch, &k.At)
		k.From, k.At = uint64(from), k.At.UTC()
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: keys of %s: %w", id, err)
	}
	return keys, nil
}

func (s *Store) Station(ctx context.Context, id string) (registry.Station, bool, error) {
	return station(ctx, s.pool, id, false)
}

// StationKeys reads the station's keys and status, not its last day's
// figures.
func (s *Store) StationKeys(ctx context.Context, id string) (registry.Station, bool, error) {
	var st registry.Station
	var retiredOn string
	err := s.pool.QueryRow(ctx, `SELECT station_id, status, key, coalesce(retirement->>'day', '') FROM stations WHERE station_id = $1`, id).
		Scan(&st.ID, &st.Status, &st.Key, &retiredOn)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("pgstore: station %s: %w", id, err)
	}
	if st.Status == registry.Retired {
		st.Retirement = &registry.Retirement{Day: retiredOn}
	}
	st.Keys, err = stationKeys(ctx, s.pool, id)
	return st, err == nil, err
}

func (s *Store) Stations(ctx context.Context) ([]registry.Station, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+stationColumns+" FROM stations ORDER BY station_id COLLATE \"C\"")
	if err != nil {
		return nil, fmt.Errorf("pgstore: stations: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (registry.Station, error) { return scanStation(row) })
	if err != nil {
		return nil, fmt.Errorf("pgstore: stations: %w", err)
	}
	rows, err = s.pool.Query(ctx, "SELECT station_id, key, from_seq, vouch, at FROM station_keys ORDER BY station_id COLLATE \"C\", from_seq")
	if err != nil {
		return nil, fmt.Errorf("pgstore: station keys: %w", err)
	}
	defer rows.Close()
	index := map[string]int{}
	for i, st := range list {
		index[st.ID] = i
	}
	for rows.Next() {
		var id string
		var k registry.KeyChange
		var from int64
		if err := rows.Scan(&id, &k.Key, &from, &k.Vouch, &k.At); err != nil {
			return nil, fmt.Errorf("pgstore: station keys: %w", err)
		}
		k.From, k.At = uint64(from), k.At.UTC()
		if i, ok := index[id]; ok {
			list[i].Keys = append(list[i].Keys, k)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: station keys: %w", err)
	}
	return list, nil
}

const dayColumns = `station_id, to_char(day, 'YYYY-MM-DD'), prev_seq, prev_hash, last_seq, last_hash, entries, sha256, close, imported, ack`

func scanDay(row pgx.Row) (registry.Day, error) {
	var (
		d                 registry.Day
		prevSeq, lastSeq  int64
		prevHash, lastHsh []byte
		close             []byte
	)
	if err := row.Scan(&d.Station, &d.Day, &prevSeq, &prevHash, &lastSeq, &lastHsh, &d.Entries, &d.SHA256, &close, &d.Imported, &d.Ack); err != nil {
		return d, err
	}
	d.Imported = d.Imported.UTC()
	var err error
	if d.Prev, err = checkpoint(prevSeq, prevHash); err != nil {
		return d, err
	}
	if d.Last, err = checkpoint(lastSeq, lastHsh); err != nil {
		return d, err
	}
	if err := json.Unmarshal(close, &d.Close); err != nil {
		return d, fmt.Errorf("close: %w", err)
	}
	return d, nil
}

func (s *Store) Days(ctx context.Context, station, from, to string, fn func(registry.Day) error) error {
	rows, err := s.pool.Query(ctx, "SELECT "+dayColumns+` FROM days WHERE station_id = $1
		AND day >= coalesce(nullif($2, '')::date, '-infinity') AND day <= coalesce(nullif($3, '')::date, 'infinity') ORDER BY day`,
		station, from, to)
	if err != nil {
		return fmt.Errorf("pgstore: days of %s: %w", station, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDay(rows)
		if err != nil {
			return fmt.Errorf("pgstore: days of %s: %w", station, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pgstore: days of %s: %w", station, err)
	}
	return nil
}

func day(ctx context.Context, q querier, station, date string) (registry.Day, bool, error) {
	d, err := scanDay(q.QueryRow(ctx, "SELECT "+dayColumns+" FROM days WHERE station_id = $1 AND day = $2::date", station, date))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("pgstore: %s day %s: %w", station, date, err)
	}
	return d, true, nil
}

func (s *Store) Day(ctx context.Context, station, date string) (registry.Day, bool, error) {
	if !isDate(date) {
		return registry.Day{}, false, nil
	}
	return day(ctx, s.pool, station, date)
}

// isDate says s is a date PostgreSQL reads the one way (YYYY-MM-DD).
func isDate(s string) bool {
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.Format(time.DateOnly) == s
}

func (s *Store) DayOf(ctx context.Context, station string, seq uint64) (string, bool, error) {
	var date string
	var prev int64
	err := s.pool.QueryRow(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), prev_seq FROM days
		WHERE station_id = $1 AND last_seq >= $2 ORDER BY last_seq LIMIT 1`, station, int64(seq)).Scan(&date, &prev)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("pgstore: %s day of entry %d: %w", station, seq, err)
	}
	if uint64(prev)+1 > seq {
		return "", false, nil
	}
	return date, true, nil
}

const traceColumns = `trace, station_id, seq, to_char(day, 'YYYY-MM-DD'), service, amount, state, outcome, reference, refund`

func scanTrace(row pgx.Row) (registry.Trace, error) {
	var t registry.Trace
	var seq, outcome int64
	err := row.Scan(&t.Trace, &t.Station, &seq, &t.Day, &t.Service, &t.Amount, &t.State, &outcome, &t.Reference, &t.Refund)
	t.Seq, t.Outcome = uint64(seq), uint64(outcome)
	return t, err
}

func (s *Store) Traces(ctx context.Context, station string, from, to uint64, fn func(registry.Trace) error) error {
	if from > to {
		return nil
	}
	rows, err := s.pool.Query(ctx, "SELECT "+traceColumns+" FROM traces WHERE station_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
		station, clamp(from), clamp(to))
	if err != nil {
		return fmt.Errorf("pgstore: traces of %s: %w", station, err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTrace(rows)
		if err != nil {
			return fmt.Errorf("pgstore: traces of %s: %w", station, err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pgstore: traces of %s: %w", station, err)
	}
	return nil
}

// clamp fits an entry number into a bigint: numbers beyond it are never
// recorded.
func clamp(n uint64) int64 {
	if n > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(n)
}

func evidence(ctx context.Context, q querier, station string) ([]registry.Evidence, error) {
	rows, err := q.Query(ctx, `SELECT station_id, to_char(day, 'YYYY-MM-DD'), sha256, reason, received, file FROM evidence
		WHERE station_id = $1 ORDER BY sha256`, station)
	if err != nil {
		return nil, fmt.Errorf("pgstore: evidence of %s: %w", station, err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (registry.Evidence, error) {
		var e registry.Evidence
		err := row.Scan(&e.Station, &e.Day, &e.SHA256, &e.Reason, &e.Received, &e.File)
		e.Received = e.Received.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: evidence of %s: %w", station, err)
	}
	return list, nil
}

func (s *Store) Evidence(ctx context.Context, station string) ([]registry.Evidence, error) {
	return evidence(ctx, s.pool, station)
}

func (s *Store) HeldFiles(ctx context.Context, station string) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, "SELECT file FROM held WHERE station_id = $1 ORDER BY sha256", station)
	if err != nil {
		return nil, fmt.Errorf("pgstore: held files of %s: %w", station, err)
	}
	files, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("pgstore: held files of %s: %w", station, err)
	}
	return files, nil
}

func (s *Store) Tariff(ctx context.Context, version string) ([]byte, bool, error) {
	var body string
	err := s.pool.QueryRow(ctx, "SELECT body FROM tariffs WHERE version = $1", version).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("pgstore: tariff %s: %w", version, err)
	}
	return []byte(body), true, nil
}

func (s *Store) Tariffs(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT version FROM tariffs ORDER BY version COLLATE \"C\"")
	if err != nil {
		return nil, fmt.Errorf("pgstore: tariffs: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("pgstore: tariffs: %w", err)
	}
	return list, nil
}

const staffColumns = "staff_id, name, role, password, created"

func scanStaff(row pgx.Row) (registry.Staff, error) {
	var st registry.Staff
	err := row.Scan(&st.ID, &st.Name, &st.Role, &st.Hash, &st.Created)
	st.Created = st.Created.UTC()
	return st, err
}

func (s *Store) StaffMember(ctx context.Context, id string) (registry.Staff, bool, error) {
	st, err := scanStaff(s.pool.QueryRow(ctx, "SELECT "+staffColumns+" FROM staff WHERE staff_id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("pgstore: staff %s: %w", id, err)
	}
	return st, true, nil
}

func (s *Store) StaffList(ctx context.Context) ([]registry.Staff, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+staffColumns+" FROM staff ORDER BY staff_id COLLATE \"C\"")
	if err != nil {
		return nil, fmt.Errorf("pgstore: staff: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (registry.Staff, error) { return scanStaff(row) })
	if err != nil {
		return nil, fmt.Errorf("pgstore: staff: %w", err)
	}
	return list, nil
}

// pgTx is one transaction of the store.
type pgTx struct {
	ctx  context.Context
	tx   pgx.Tx
	keys map[string]int // station → how many keys it had when read
}

var _ registry.Tx = (*pgTx)(nil)

func (t *pgTx) Station(id string) (registry.Station, bool, error) {
	s, found, err := station(t.ctx, t.tx, id, true)
	if found {
		t.keys[id] = len(s.Keys)
	}
	return s, found, err
}

// stationArgs are a station's columns after station_id, in the order of
// stationColumns.
func stationArgs(s *registry.Station) ([]any, error) {
	var close, retirement []byte
	var err error
	if s.Close != nil {
		if close, err = json.Marshal(s.Close); err != nil {
			return nil, err
		}
	}
	if s.Retirement != nil {
		if retirement, err = json.Marshal(s.Retirement); err != nil {
			return nil, err
		}
	}
	var lastDay *string
	if s.LastDay != "" {
		lastDay = &s.LastDay
	}
	return []any{s.Franchisee, s.Deposit.String(), s.Tariff, s.Key, s.Zone, s.Enrolled, s.Status, s.Forks, s.Held,
		clamp(s.Last.Seq), s.Last.Hash[:], lastDay, close, retirement}, nil
}

func (t *pgTx) AddStation(s *registry.Station) (bool, error) {
	args, err := stationArgs(s)
	if err != nil {
		return false, fmt.Errorf("pgstore: station %s: %w", s.ID, err)
	}
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO stations (station_id, franchisee, deposit, tariff, key, zone, enrolled, status, forks, held,
		last_seq, last_hash, last_day, close, retirement) VALUES ($1, $2, $3::numeric, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::date, $14, $15)
		ON CONFLICT (station_id) DO NOTHING`, append([]any{s.ID}, args...)...)
	if err != nil {
		return false, fmt.Errorf("pgstore: enrol %s: %w", s.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	return true, t.addKeys(s, 0)
}

// addKeys records a station's keys from the from-th on.
func (t *pgTx) addKeys(s *registry.Station, from int) error {
	for _, k := range s.Keys[from:] {
		_, err := t.tx.Exec(t.ctx, "INSERT INTO station_keys (station_id, from_seq, key, vouch, at) VALUES ($1, $2, $3, $4, $5)",
			s.ID, clamp(k.From), k.Key, k.Vouch, k.At)
		if err != nil {
			return fmt.Errorf("pgstore: key of %s from entry %d: %w", s.ID, k.From, err)
		}
	}
	return nil
}

func (t *pgTx) PutStation(s *registry.Station) error {
	args, err := stationArgs(s)
	if err != nil {
		return fmt.Errorf("pgstore: station %s: %w", s.ID, err)
	}
	tag, err := t.tx.Exec(t.ctx, `UPDATE stations SET franchisee = $2, deposit = $3::numeric, tariff = $4, key = $5, zone = $6,
		enrolled = $7, status = $8, forks = $9, held = $10, last_seq = $11, last_hash = $12, last_day = $13::date, close = $14,
		retirement = $15 WHERE station_id = $1`, append([]any{s.ID}, args...)...)
	if err != nil {
		return fmt.Errorf("pgstore: station %s: %w", s.ID, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("pgstore: station %s is not recorded", s.ID)
	}
	had, ok := t.keys[s.ID]
	if !ok {
		return fmt.Errorf("pgstore: station %s written without being read in the transaction", s.ID)
	}
	if had < len(s.Keys) {
		if err := t.addKeys(s, had); err != nil {
			return err
		}
		t.keys[s.ID] = len(s.Keys)
	}
	return nil
}

func (t *pgTx) File(station, sha string) (registry.FileRecord, bool, error) {
	fr := registry.FileRecord{Station: station}
	err := t.tx.QueryRow(t.ctx, "SELECT to_char(day, 'YYYY-MM-DD'), status FROM files WHERE station_id = $1 AND sha256 = $2", station, sha).
		Scan(&fr.Day, &fr.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return fr, false, nil
	}
	if err != nil {
		return fr, false, fmt.Errorf("pgstore: file %s: %w", sha, err)
	}
	return fr, true, nil
}

func (t *pgTx) PutFile(sha string, fr registry.FileRecord) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO files (station_id, sha256, day, status) VALUES ($1, $2, $3::date, $4)
		ON CONFLICT (station_id, sha256) DO UPDATE SET day = excluded.day, status = excluded.status`, fr.Station, sha, fr.Day, fr.Status)
	if err != nil {
		return fmt.Errorf("pgstore: file %s: %w", sha, err)
	}
	return nil
}

func (t *pgTx) Day(station, date string) (registry.Day, bool, error) {
	if !isDate(date) {
		return registry.Day{}, false, nil
	}
	return day(t.ctx, t.tx, station, date)
}

func (t *pgTx) AddDay(d *registry.Day) error {
	close, err := json.Marshal(&d.Close)
	if err != nil {
		return fmt.Errorf("pgstore: %s day %s: %w", d.Station, d.Day, err)
	}
	_, err = t.tx.Exec(t.ctx, `INSERT INTO days (station_id, day, prev_seq, prev_hash, last_seq, last_hash, entries, sha256, close, imported, ack)
		VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.Station, d.Day, clamp(d.Prev.Seq), d.Prev.Hash[:], clamp(d.Last.Seq), d.Last.Hash[:], d.Entries, d.SHA256, close, d.Imported, d.Ack)
	if err != nil {
		return fmt.Errorf("pgstore: %s day %s: %w", d.Station, d.Day, err)
	}
	return nil
}

func (t *pgTx) Trace(station string, seq uint64) (*registry.Trace, error) {
	tr, err := scanTrace(t.tx.QueryRow(t.ctx, "SELECT "+traceColumns+" FROM traces WHERE station_id = $1 AND seq = $2", station, clamp(seq)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: trace %s: %w", registry.TraceOf(station, seq), err)
	}
	return &tr, nil
}

// PutTraces writes a day's new traces with COPY and the earlier ones it
// changed in one batch of updates.
func (t *pgTx) PutTraces(station string, added, changed []*registry.Trace) error {
	if len(added) > 0 {
		rows := make([][]any, len(added))
		for i, tr := range added {
			rows[i] = []any{station, clamp(tr.Seq), tr.Trace, tr.Day, tr.Service, tr.Amount, tr.State, clamp(tr.Outcome), tr.Reference, tr.Refund}
		}
		_, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{"traces"},
			[]string{"station_id", "seq", "trace", "day", "service", "amount", "state", "outcome", "reference", "refund"}, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("pgstore: traces of %s: %w", station, err)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, tr := range changed {
		b.Queue("UPDATE traces SET state = $3, outcome = $4, reference = $5, refund = $6 WHERE station_id = $1 AND seq = $2",
			station, clamp(tr.Seq), tr.State, clamp(tr.Outcome), tr.Reference, tr.Refund)
	}
	if err := t.tx.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("pgstore: traces of %s: %w", station, err)
	}
	return nil
}

func (t *pgTx) AddHeld(station, sha string, prev ledger.Checkpoint, file []byte) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO held (station_id, sha256, prev_seq, file) VALUES ($1, $2, $3, $4)", station, sha, clamp(prev.Seq), file)
	if err != nil {
		return fmt.Errorf("pgstore: hold %s: %w", sha, err)
	}
	return nil
}

func (t *pgTx) DeleteHeld(station, sha string) (bool, error) {
	tag, err := t.tx.Exec(t.ctx, "DELETE FROM held WHERE station_id = $1 AND sha256 = $2", station, sha)
	if err != nil {
		return false, fmt.Errorf("pgstore: release %s: %w", sha, err)
	}
	return tag.RowsAffected() > 0, nil
}

func (t *pgTx) AddEvidence(e *registry.Evidence) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO evidence (station_id, sha256, day, reason, received, file) VALUES ($1, $2, $3::date, $4, $5, $6)",
		e.Station, e.SHA256, e.Day, e.Reason, e.Received, e.File)
	if err != nil {
		return fmt.Errorf("pgstore: evidence %s: %w", e.SHA256, err)
	}
	return nil
}

func (t *pgTx) Evidence(station string) ([]registry.Evidence, error) {
	return evidence(t.ctx, t.tx, station)
}

func (t *pgTx) AddStaff(s *registry.Staff) (bool, error) {
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO staff (staff_id, name, role, password, created) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (staff_id) DO NOTHING`, s.ID, s.Name, s.Role, s.Hash, s.Created)
	if err != nil {
		return false, fmt.Errorf("pgstore: staff %s: %w", s.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

func (t *pgTx) IssueTariff(version string, body []byte) ([]byte, error) {
	tag, err := t.tx.Exec(t.ctx, "INSERT INTO tariffs (version, body) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING", version, string(body))
	if err != nil {
		return nil, fmt.Errorf("pgstore: tariff %s: %w", version, err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	var old string
	if err := t.tx.QueryRow(t.ctx, "SELECT body FROM tariffs WHERE version = $1", version).Scan(&old); err != nil {
		return nil, fmt.Errorf("pgstore: tariff %s: %w", version, err)
	}
	return []byte(old), nil
}

var _ registry.Nonces = (*Store)(nil)

// AddNonce records a request's nonce for every server sharing the
// database; the station's nonces past their time are forgotten first.
func (s *Store) AddNonce(ctx context.Context, station, nonce string, until, now time.Time) (bool, error) {
	if _, err := s.pool.Exec(ctx, "DELETE FROM nonces WHERE station_id = $1 AND until < $2", station, now); err != nil {
		return false, fmt.Errorf("pgstore: nonces of %s: %w", station, err)
	}
	tag, err := s.pool.Exec(ctx, "INSERT INTO nonces (station_id, nonce, until) VALUES ($1, $2, $3) ON CONFLICT (station_id, nonce) DO NOTHING",
		station, nonce, until)
	if err != nil {
		return false, fmt.Errorf("pgstore: nonce of %s: %w", station, err)
	}
	return tag.RowsAffected() == 1, nil
}

var _ registry.FileLister = (*Store)(nil)

// Files lists every file record, by SHA-256.
func (s *Store) Files(ctx context.Context, fn func(sha string, fr registry.FileRecord) error) error {
	rows, err := s.pool.Query(ctx, `SELECT sha256, station_id, to_char(day, 'YYYY-MM-DD'), status FROM files ORDER BY sha256 COLLATE "C"`)
	if err != nil {
		return fmt.Errorf("pgstore: files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		var fr registry.FileRecord
		if err := rows.Scan(&sha, &fr.Station, &fr.Day, &fr.Status); err != nil {
			return fmt.Errorf("pgstore: files: %w", err)
		}
		if err := fn(sha, fr); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pgstore: files: %w", err)
	}
	return nil
}

func (s *Store) Reconciliations(ctx context.Context) ([]registry.Reconciliation, error) {
	rows, err := s.pool.Query(ctx, "SELECT to_char(day, 'YYYY-MM-DD'), at, exceptions FROM reconciliations ORDER BY day")
	if err != nil {
		return nil, fmt.Errorf("pgstore: reconciliations: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (registry.Reconciliation, error) {
		var r registry.Reconciliation
		err := row.Scan(&r.Day, &r.At, &r.Exceptions)
		r.At = r.At.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: reconciliations: %w", err)
	}
	return list, nil
}

const exceptionColumns = "station_id, to_char(day, 'YYYY-MM-DD'), n, kind, trace, service, station_state, station_amount, host_state, host_amount, journal, line, detail"

func (s *Store) Exceptions(ctx context.Context, station, from, to string) ([]registry.Exception, error) {
	if !isDate(from) || !isDate(to) {
		return nil, nil
	}
	// Ordered as the bbolt store keeps them: by day, then position (a
	// day's list is over all stations).
	rows, err := s.pool.Query(ctx, "SELECT "+exceptionColumns+` FROM exceptions
		WHERE day BETWEEN $2::date AND $3::date AND ($1 = '' OR station_id = $1) ORDER BY day, n`, station, from, to)
	if err != nil {
		return nil, fmt.Errorf("pgstore: exceptions: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (registry.Exception, error) {
		var e registry.Exception
		err := row.Scan(&e.Station, &e.Day, &e.N, &e.Kind, &e.Trace, &e.Service, &e.StationState, &e.StationAmount,
			&e.HostState, &e.HostAmount, &e.Journal, &e.Line, &e.Detail)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: exceptions: %w", err)
	}
	return list, nil
}

func (t *pgTx) PutReconciliation(r registry.Reconciliation, found []registry.Exception) error {
	if _, err := t.tx.Exec(t.ctx, "DELETE FROM exceptions WHERE day = $1::date", r.Day); err != nil {
		return fmt.Errorf("pgstore: reconciliation of %s: %w", r.Day, err)
	}
	if len(found) > 0 {
		rows := make([][]any, len(found))
		for i, e := range found {
			rows[i] = []any{e.Station, e.Day, e.N, e.Kind, e.Trace, e.Service, e.StationState, e.StationAmount,
				e.HostState, e.HostAmount, e.Journal, e.Line, e.Detail}
		}
		_, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{"exceptions"}, []string{"station_id", "day", "n", "kind", "trace", "service",
			"station_state", "station_amount", "host_state", "host_amount", "journal", "line", "detail"}, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("pgstore: reconciliation of %s: %w", r.Day, err)
		}
	}
	_, err := t.tx.Exec(t.ctx, `INSERT INTO reconciliations (day, at, exceptions) VALUES ($1::date, $2, $3)
		ON CONFLICT (day) DO UPDATE SET at = excluded.at, exceptions = excluded.exceptions`, r.Day, r.At, r.Exceptions)
	if err != nil {
		return fmt.Errorf("pgstore: reconciliation of %s: %w", r.Day, err)
	}
	return nil
}
