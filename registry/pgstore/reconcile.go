package pgstore

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
)

var _ reconcile.Matcher = (*Store)(nil)

// MatchDay pairs the day's traces with the host lines in the database:
// the lines are copied (COPY) into a temporary table and one statement
// does the full outer join of the day's traces with the lines, finds the
// accepted day that holds each trace only the hosts have (the first day
// of its station ending at or after its entry), and sums up the hosts'
// lines per trace. Which pairs belong to the day follows reconcile.Run's
// own reading (reconcile.Matcher); what each pair means is decided by
// the reconcile package, for both paths.
func (s *Store) MatchDay(ctx context.Context, date string, lines iter.Seq[reconcile.HostLine]) (pairs []reconcile.Pair, stations, hostLines int, err error) {
	if !isDate(date) {
		return nil, 0, 0, fmt.Errorf("pgstore: reconcile: date %q: want YYYY-MM-DD", date)
	}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		// One snapshot for the whole reading; the temporary table is the
		// transaction's own and goes with it.
		if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE host_lines (
			jno integer NOT NULL, journal text NOT NULL, line integer NOT NULL, trace text NOT NULL, station_id text NOT NULL,
			seq bigint NOT NULL, event text NOT NULL, status text NOT NULL, amount text NOT NULL, refund text NOT NULL,
			local date NOT NULL, enrolled boolean NOT NULL) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("host lines: %w", err)
		}
		next, stop := iter.Pull(lines)
		defer stop()
		src := &lineSource{next: next}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"host_lines"},
			[]string{"jno", "journal", "line", "trace", "station_id", "seq", "event", "status", "amount", "refund", "local", "enrolled"}, src); err != nil {
			return fmt.Errorf("copy the host lines: %w", err)
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM days WHERE day = $1::date", date).Scan(&stations); err != nil {
			return fmt.Errorf("stations of the day: %w", err)
		}
		rows, err := tx.Query(ctx, matchDay, date)
		if err != nil {
			return fmt.Errorf("match: %w", err)
		}
		pairs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (reconcile.Pair, error) {
			var (
				p                                          reconcile.Pair
				mine                                       bool
				t                                          registry.Trace
				seq, outcome                               *int64
				day, service, amount, state, ref, refund   *string
				lines, sends, line                         *int64
				hStatus, hAmount, hRefund, journal, kindOf *string
			)
			if err := row.Scan(&p.Trace, &p.Station, &mine, &seq, &day, &service, &amount, &state, &outcome, &ref, &refund,
				&lines, &sends, &hStatus, &hAmount, &hRefund, &journal, &line, &kindOf); err != nil {
				return p, err
			}
			if mine {
				t = registry.Trace{Trace: p.Trace, Station: p.Station, Seq: uint64(*seq), Day: *day, Service: *service, Amount: *amount,
					State: *state, Outcome: uint64(*outcome), Reference: *ref, Refund: *refund}
				p.Mine = &t
			}
			if lines != nil {
				hostLines += int(*lines)
				p.Host = &reconcile.Host{Sends: int(*sends), Status: *hStatus, Amount: *hAmount, Refund: *hRefund, Journal: *journal, Line: int(*line)}
			}
			if kindOf != nil {
				p.Kind = *kindOf
			}
			return p, nil
		})
		if err != nil {
			return fmt.Errorf("match: %w", err)
		}
		return src.err
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pgstore: reconcile %s: %w", date, err)
	}
	return pairs, stations, hostLines, nil
}

// matchDay is the pairing of reconcile.Matcher in one statement. $1 is
// the business day.
const matchDay = `
WITH st AS (
	SELECT station_id, seq, trace, to_char(day, 'YYYY-MM-DD') AS day, service, amount, state, outcome, reference, refund
	FROM traces WHERE day = $1::date
),
agg AS (
	SELECT station_id, trace,
		count(*) AS lines,
		count(*) FILTER (WHERE event = 'send') AS sends,
		coalesce((array_agg(status ORDER BY jno DESC, line DESC) FILTER (WHERE event IN ('send', 'issue', 'reverse')))[1], '') AS status,
		coalesce((array_agg(amount ORDER BY jno, line) FILTER (WHERE event = 'send'))[1], '') AS amount,
		coalesce((array_agg(refund ORDER BY jno, line) FILTER (WHERE event = 'send'))[1], '') AS refund,
		(array_agg(journal ORDER BY jno, line))[1] AS journal,
		(array_agg(line ORDER BY jno, line))[1] AS line,
		(array_agg(seq ORDER BY jno, line))[1] AS seq,
		(array_agg(local ORDER BY jno, line))[1] AS local,
		bool_or(enrolled) AS enrolled
	FROM host_lines GROUP BY station_id, trace
),
lost AS (
	SELECT a.station_id, a.trace,
		CASE WHEN NOT a.enrolled THEN 'unknown_station'
		     WHEN d.day IS NULL OR d.prev_seq >= a.seq THEN 'no_file'
		     WHEN d.day = $1::date THEN 'missing_at_station'
		     ELSE 'covered' END AS kind,
		a.local
	FROM agg a
	LEFT JOIN LATERAL (
		SELECT day, prev_seq FROM days WHERE days.station_id = a.station_id AND days.last_seq >= a.seq ORDER BY last_seq LIMIT 1
	) d ON a.enrolled
	WHERE NOT EXISTS (SELECT 1 FROM st WHERE st.station_id = a.station_id AND st.trace = a.trace)
)
SELECT coalesce(st.trace, a.trace), coalesce(st.station_id, a.station_id), st.trace IS NOT NULL,
	st.seq, st.day, st.service, st.amount, st.state, st.outcome, st.reference, st.refund,
	a.lines, a.sends, a.status, a.amount, a.refund, a.journal, a.line, l.kind
FROM st
FULL OUTER JOIN agg a ON a.station_id = st.station_id AND a.trace = st.trace
LEFT JOIN lost l ON l.station_id = a.station_id AND l.trace = a.trace
WHERE st.trace IS NOT NULL
	OR l.kind = 'missing_at_station'
	OR (l.kind IN ('no_file', 'unknown_station') AND l.local = $1::date)`

// lineSource feeds the host lines to COPY.
type lineSource struct {
	next func() (reconcile.HostLine, bool)
	cur  reconcile.HostLine
	err  error
}

func (s *lineSource) Next() bool {
	var ok bool
	s.cur, ok = s.next()
	return ok
}

func (s *lineSource) Values() ([]any, error) {
	l := s.cur
	return []any{l.Journal, l.Name, l.Line, l.Trace, l.Station, clamp(l.Seq), l.Event, l.Status, l.Amount, l.Refund, l.Local, l.Enrolled}, nil
}

func (s *lineSource) Err() error { return s.err }
