package shopfront

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// Files in a station's data folder.
const (
	LedgerFile    = "ledger.db"
	KeyFile       = "station.key"
	OperatorsFile = "operators.db"
)

// Folder is a station's data folder, opened: its ledger and operator
// list and, once unlocked, its key.
type Folder struct {
	Dir     string
	Now     func() time.Time // the clock of everything the folder records
	Ledger  *ledger.Store
	Ops     *terminal.Operators
	CardKey []byte             // keys the per-card hash; set when the key is unlocked
	Key     ed25519.PrivateKey // signs receipt codes; set when the key is unlocked
	// copyDir holds the copy of the ledger, operators and pending store
	// a command that only reads got from the running program (see
	// OpenForView); "" when the station's own files are open.
	copyDir string
}

// Close closes the ledger and the operator list.
func (st *Folder) Close() error {
	err := st.Ops.Close()
	if lerr := st.Ledger.Close(); err == nil {
		err = lerr
	}
	if st.copyDir != "" {
		if rerr := os.RemoveAll(st.copyDir); err == nil {
			err = rerr
		}
	}
	return err
}

// Path is where a file of the folder is.
func (st *Folder) Path(name string) string { return filepath.Join(st.Dir, name) }

// Open opens the station in dir and verifies what was added since the
// last verification (verifyNew), so a damaged ledger is noticed at once
// without re-checking years of history. now is the clock (nil: the
// system's).
func Open(dir string, now func() time.Time, verifyNew bool) (*Folder, error) {
	if now == nil {
		now = time.Now
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, refuse(nil, "没有找到服务站数据文件夹 %s。请检查路径；新开的站请先运行 station init。",
			"no station data folder at %s. Check the path; a new station starts with station init.", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, LedgerFile)); err != nil {
		return nil, refuse(nil, "%s 不是服务站的数据文件夹（里面没有 %s）。请检查路径。",
			"%s is not a station data folder (it has no %s). Check the path.", dir, LedgerFile)
	}
	s, err := ledger.Open(filepath.Join(dir, LedgerFile), &ledger.Options{Now: now})
	if err != nil {
		return nil, err
	}
	if verifyNew {
		if _, err := s.VerifyNew(); err != nil {
			s.Close()
			return nil, err
		}
	}
	ops, err := terminal.OpenOperators(filepath.Join(dir, OperatorsFile), now)
	if err != nil {
		s.Close()
		return nil, refuse(err, "打不开操作员名单 %s。", "cannot open the operator list %s.", filepath.Join(dir, OperatorsFile))
	}
	return &Folder{Dir: dir, Now: now, Ledger: s, Ops: ops}, nil
}

// SetKey lets the station sign entries and hash card numbers.
func (st *Folder) SetKey(priv ed25519.PrivateKey) error {
	if err := st.Ledger.SetSigner(priv); err != nil {
		return err
	}
	st.CardKey, st.Key = keyfile.Derive(priv, "card-key"), priv
	return nil
}

// UnlockOperator lifts every lockout of operator id for the holder of
// the station key's passphrase (the caller has checked it), typed at
// where (terminal.Console or "screen"), and records the unlock in the
// ledger, under the first owner's name, before it lifts it.
func (st *Folder) UnlockOperator(id, where string) (ledger.Entry, error) {
	ops, err := st.Ops.List()
	if err != nil {
		return ledger.Entry{}, err
	}
	found := false
	for _, op := range ops {
		found = found || op.ID == id
	}
	if !found {
		return ledger.Entry{}, fmt.Errorf("%w: %s", terminal.ErrUnknownOperator, id)
	}
	owner, err := st.FirstOwner()
	if err != nil {
		return ledger.Entry{}, err
	}
	payload, err := json.Marshal(map[string]string{"id": id, "by": "passphrase", "at": where})
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := st.Ledger.Append(ledger.Draft{Operator: owner, Kind: "operator_unlock", IdemKey: NewIdemKey("operator_unlock"), Payload: payload})
	if err != nil {
		return ledger.Entry{}, err
	}
	return e, st.Ops.Unlock(id)
}

// AddOperator records in the ledger that by added operator id, then
// stores the operator with the PIN's hash. Run again after a crash between
// the two, the ledger entry is replayed and the operator stored.
func (st *Folder) AddOperator(id, role, pinCode, by string) (ledger.Entry, error) {
	payload, err := json.Marshal(map[string]string{"id": id, "role": role})
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := st.Ledger.Append(ledger.Draft{Operator: by, Kind: "operator_add", IdemKey: "operator_add:" + id, Payload: payload})
	if err != nil {
		return ledger.Entry{}, err
	}
	return e, st.Ops.Add(id, role, pinCode, e.Seq)
}

// FirstOwner names who records what the station does on its own at
// start (closing a forgotten day): the first owner.
func (st *Folder) FirstOwner() (string, error) {
	ops, err := st.Ops.List()
	if err != nil {
		return "", err
	}
	for _, op := range ops {
		if op.Role == terminal.RoleOwner {
			return op.ID, nil
		}
	}
	return "", refuse(nil, "还没有店主：请先用 station operator add --dir %s --id OP1 --role owner 添加店主。", "there is no owner yet: add one with station operator add --dir %s --id OP1 --role owner.", st.Dir)
}

// IsDemo reports whether st is a demo station: one made by station demo,
// with the demo id and trusting the public demo post-office key. Its
// passphrase is public, so nobody is asked for it.
func (st *Folder) IsDemo() bool {
	g := st.Ledger.Genesis()
	return g.Terminal == DemoID && g.PostOfficeKey == tariff.DemoPostOfficeVerifierKey
}

// The demo station's name and secrets are printed on screen: it is for
// trying the program, never for real money.
const (
	DemoID         = "DEMO01"
	DemoName       = "演示服务站（示范村）"
	DemoPassphrase = "demo-passphrase-not-secret"
	DemoOwnerPIN   = "135790"
	DemoClerkPIN   = "246802"
	DemoFloat      = "2000.00"
	DemoPhone      = "0376-6201234"
)

// Unlock opens the station's key with passphrase and gives it to the
// ledger.
func (st *Folder) Unlock(passphrase []byte) error {
	priv, err := keyfile.Open(st.Path(KeyFile), passphrase, st.Ledger.Genesis().Terminal)
	if err != nil {
		return err
	}
	return st.SetKey(priv)
}

// LockedIn gives a lockout's end in the station's zone, as every other
// time the shop reads.
func LockedIn(err error, zone *time.Location) error {
	var le *terminal.LockedError
	if errors.As(err, &le) {
		c := *le
		c.Until = c.Until.In(zone)
		return &c
	}
	return err
}
