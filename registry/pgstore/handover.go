package pgstore

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/villagepost/bianmin/registry"
)

// Handovers reads the hand-over documents kept in the retired stations'
// retirement (JSON: the document is base64 there, as encoding/json
// writes a []byte). The query looks at every station row, not one: a
// post office has a few hundred, and a station asks a few times a day.
func (s *Store) Handovers(ctx context.Context, successor string) ([]registry.Handover, error) {
	rows, err := s.pool.Query(ctx, `SELECT station_id, retirement->>'handover' FROM stations
		WHERE status = 'retired' AND retirement->>'successor' = $1 AND coalesce(retirement->>'handover', '') <> ''
		ORDER BY station_id COLLATE "C"`, successor)
	if err != nil {
		return nil, fmt.Errorf("pgstore: hand-over documents for %s: %w", successor, err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (registry.Handover, error) {
		var h registry.Handover
		var doc string
		if err := row.Scan(&h.From, &doc); err != nil {
			return h, err
		}
		b, err := base64.StdEncoding.DecodeString(doc)
		if err != nil {
			return h, fmt.Errorf("station %s: hand-over document: %w", h.From, err)
		}
		h.To, h.Document = successor, b
		return h, nil
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: hand-over documents for %s: %w", successor, err)
	}
	return list, nil
}
