package terminal

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// WriteBackup writes a consistent copy of the operators file to w, as of
// one moment, while the station goes on using it.
func (o *Operators) WriteBackup(w io.Writer) (int64, error) { return copyDB(o.db, w) }

// WriteBackup writes a consistent copy of the pending store's file to w,
// as of one moment, while the station goes on using it. The marks of
// cash-outs shown on the screen live in a file beside it and are not in
// the copy.
func (p *Pending) WriteBackup(w io.Writer) (int64, error) { return copyDB(p.db, w) }

func copyDB(db *bolt.DB, w io.Writer) (n int64, err error) {
	err = db.View(func(tx *bolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
