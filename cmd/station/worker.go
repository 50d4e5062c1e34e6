package main

import (
	"flag"

	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// worker is who is at the counter for a command that records something:
// the station's folder, the operator, and where their PIN and the key's
// passphrase come from.
type worker struct {
	dir, operator, pinFile, passFile string
}

func (w *worker) register(fs *flag.FlagSet) {
	fs.StringVar(&w.dir, "dir", "", "the station's data folder")
	fs.StringVar(&w.operator, "operator", "", "the operator, e.g. OP1")
	fs.StringVar(&w.pinFile, "pin-file", "", "file with the operator's PIN (else STATION_PIN, else asked)")
	fs.StringVar(&w.passFile, "passphrase-file", "", "file with the key passphrase (else STATION_PASSPHRASE)")
}

// signIn checks the operator's PIN.
func (m *Main) signIn(st *shopfront.Folder, w worker) (terminal.Operator, error) {
	if w.operator == "" {
		return terminal.Operator{}, m.missingFlag("operator", "请用 --operator 说明是哪位操作员办理，例如 --operator OP1。", "say who is working with --operator, e.g. --operator OP1.")
	}
	code, err := m.secret(w.pinFile, "STATION_PIN", "请输入操作员密码：", "operator PIN: ", false)
	if err != nil {
		return terminal.Operator{}, err
	}
	op, err := st.Ops.Authenticate(w.operator, string(code))
	return op, shopfront.LockedIn(err, st.Ledger.Zone())
}

// signedIn checks the operator's PIN and unlocks the station key.
func (m *Main) signedIn(st *shopfront.Folder, w worker) error {
	if _, err := m.signIn(st, w); err != nil {
		return err
	}
	return m.unlock(st, w.passFile, w.operator)
}
