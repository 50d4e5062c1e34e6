package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/villagepost/bianmin/registry"
)

const disputeColumns = `seq, kind, disputed, trace, decided, dispute, refund, paid, day, payload`

func scanDispute(row pgx.Row) (registry.DisputeEntry, error) {
	var d registry.DisputeEntry
	var seq, disputed, decided, dispute, paid int64
	var payload string
	err := row.Scan(&seq, &d.Kind, &disputed, &d.Trace, &decided, &dispute, &d.Refund, &paid, &d.Day, &payload)
	if payload != "" {
		d.Payload = json.RawMessage(payload)
	}
	d.Seq, d.Disputed, d.Decided, d.Dispute, d.Paid = uint64(seq), uint64(disputed), uint64(decided), uint64(dispute), uint64(paid)
	return d, err
}

// DisputeEntries calls fn with the station's dispute entries, in order.
func (s *Store) DisputeEntries(ctx context.Context, station string, fn func(registry.DisputeEntry) error) error {
	rows, err := s.pool.Query(ctx, "SELECT "+disputeColumns+" FROM dispute_entries WHERE station_id = $1 ORDER BY seq", station)
	if err != nil {
		return fmt.Errorf("pgstore: dispute entries of %s: %w", station, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDispute(rows)
		if err != nil {
			return fmt.Errorf("pgstore: dispute entries of %s: %w", station, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pgstore: dispute entries of %s: %w", station, err)
	}
	return nil
}

func (t *pgTx) DisputeEntry(station string, seq uint64) (*registry.DisputeEntry, error) {
	d, err := scanDispute(t.tx.QueryRow(t.ctx, "SELECT "+disputeColumns+" FROM dispute_entries WHERE station_id = $1 AND seq = $2", station, clamp(seq)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: %s dispute entry %d: %w", station, seq, err)
	}
	return &d, nil
}

// PutDisputeEntries writes dispute entries, new or changed, in one batch.
func (t *pgTx) PutDisputeEntries(station string, list []*registry.DisputeEntry) error {
	if len(list) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, d := range list {
		b.Queue(`INSERT INTO dispute_entries (station_id, `+disputeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (station_id, seq) DO UPDATE SET decided = EXCLUDED.decided, paid = EXCLUDED.paid`,
			station, clamp(d.Seq), d.Kind, clamp(d.Disputed), d.Trace, clamp(d.Decided), clamp(d.Dispute), d.Refund, clamp(d.Paid), d.Day, string(d.Payload))
	}
	if err := t.tx.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("pgstore: dispute entries of %s: %w", station, err)
	}
	return nil
}
