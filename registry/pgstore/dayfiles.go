package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

func (s *Store) DayFile(ctx context.Context, station, day string) ([]byte, bool, error) {
	if !isDate(day) {
		return nil, false, nil
	}
	var file []byte
	err := s.pool.QueryRow(ctx, "SELECT file FROM day_files WHERE station_id = $1 AND day = $2::date", station, day).Scan(&file)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("pgstore: the file of %s day %s: %w", station, day, err)
	}
	return file, true, nil
}

// PutDayFile keeps the file unless one is kept for the day.
func (t *pgTx) PutDayFile(station, day string, file []byte) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO day_files (station_id, day, file) VALUES ($1, $2::date, $3)
		ON CONFLICT (station_id, day) DO NOTHING`, station, day, file)
	if err != nil {
		return fmt.Errorf("pgstore: keep the file of %s day %s: %w", station, day, err)
	}
	return nil
}
