package registry

import (
	"context"
	"slices"
)

// IssueTo makes version the tariff the post office gives station: the one
// the station API serves it (a station online loads it on the day it
// becomes valid) and its statements name. The version must have been
// issued (Issue) and the station must not have retired. Issuing the
// version a station has already changes nothing.
func (r *Registry) IssueTo(ctx context.Context, station, version string) (Station, error) {
	if list, err := r.Tariffs(ctx); err != nil {
		return Station{}, err
	} else if !slices.Contains(list, version) {
		return Station{}, refuse(ErrInput, station, "tariff: %s was not issued by this post office; sign it first (postoffice tariff sign)", version)
	}
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
			return refuse(ErrRetired, s.ID, "station %s retired on %s; it gets no tariff", s.ID, s.Retirement.Day)
		}
		if s.Tariff == version {
			return nil
		}
		s.Tariff = version
		return tx.PutStation(&s)
	})
	return s, err
}
