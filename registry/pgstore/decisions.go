package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/villagepost/bianmin/registry"
)

func scanDecision(row pgx.Row) (registry.Decision, error) {
	var d registry.Decision
	var dispute int64
	err := row.Scan(&d.Station, &dispute, &d.At, &d.Note)
	d.Dispute, d.At = uint64(dispute), d.At.UTC()
	return d, err
}

// Decisions calls fn with the decisions on a station's disputes (station
// "": every station's), in order of station and dispute.
func (s *Store) Decisions(ctx context.Context, station string, fn func(registry.Decision) error) error {
	rows, err := s.pool.Query(ctx, `SELECT station_id, dispute, at, note FROM decisions
		WHERE $1 = '' OR station_id = $1 ORDER BY station_id COLLATE "C", dispute`, station)
	if err != nil {
		return fmt.Errorf("pgstore: decisions of %q: %w", station, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return fmt.Errorf("pgstore: decisions of %q: %w", station, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pgstore: decisions of %q: %w", station, err)
	}
	return nil
}

// AddDecision records d unless the dispute has a decision: the primary
// key decides between two servers deciding at once (the second waits
// for the first's transaction and then inserts nothing), and the first
// is returned.
func (t *pgTx) AddDecision(d registry.Decision) (*registry.Decision, error) {
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO decisions (station_id, dispute, at, note) VALUES ($1, $2, $3, $4)
		ON CONFLICT (station_id, dispute) DO NOTHING`, d.Station, clamp(d.Dispute), d.At, d.Note)
	if err != nil {
		return nil, fmt.Errorf("pgstore: decision on %s: %w", registry.TraceOf(d.Station, d.Dispute), err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	first, err := scanDecision(t.tx.QueryRow(t.ctx, "SELECT station_id, dispute, at, note FROM decisions WHERE station_id = $1 AND dispute = $2",
		d.Station, clamp(d.Dispute)))
	if err != nil {
		return nil, fmt.Errorf("pgstore: decision on %s: %w", registry.TraceOf(d.Station, d.Dispute), err)
	}
	return &first, nil
}
