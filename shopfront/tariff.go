package shopfront

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

const TariffFile = "tariff.signed"

// OpenTariff checks a signed tariff file against the post office key the
// station learned at init.
func (st *Folder) OpenTariff(file []byte) (*tariff.Tariff, error) {
	v, err := note.NewVerifier(st.Ledger.Genesis().PostOfficeKey)
	if err != nil {
		return nil, refuse(err, "本站没有登记邮政支局公钥，不能核对价目表。", "this station has no post office key to check tariffs with.")
	}
	t, err := tariff.Open(file, v)
	if errors.Is(err, tariff.ErrSignature) {
		return nil, refuse(nil, "这个价目表不是本站所属邮政支局签发的，或者签发后被改过；没有载入。请向支局要正确的文件。",
			"this tariff is not signed by this station's post office, or was changed after signing; not loaded. Ask the post office for the right file.")
	}
	return t, err
}

// LoadedTariff returns the station's current LoadedTariff.
func (st *Folder) LoadedTariff() (*tariff.Tariff, error) {
	file, err := os.ReadFile(st.Path(TariffFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, refuse(nil, "还没有载入价目表：请店主用 %s 载入邮政支局发来的价目表（文件名换成支局给的文件）。",
			"no tariff loaded yet: the owner loads the post office's file with %s (FILE is the file the post office gave).", st.LoadCommand())
	}
	if err != nil {
		return nil, refuse(err, "读不了价目表 %s。", "cannot read the tariff %s.", st.Path(TariffFile))
	}
	return st.OpenTariff(file)
}

// LoadCommand is the command that loads a tariff into st, as the owner
// types it: only an owner loads one.
func (st *Folder) LoadCommand() string {
	owner, err := st.FirstOwner()
	if err != nil || owner == "" {
		owner = "OP1"
	}
	return "station tariff load --dir " + st.Dir + " --operator " + owner + " FILE"
}

// CurrentTariff returns the station's tariff if it applies today: a
// service is never priced by a stale one.
func (st *Folder) CurrentTariff() (*tariff.Tariff, error) {
	t, err := st.LoadedTariff()
	if err != nil {
		return nil, err
	}
	if day := st.Ledger.CurrentDay(); !t.ValidOn(day) {
		return nil, refuse(nil, "价目表 %s 的有效期是 %s 至 %s，今天（%s）不能用，什么都没有办理。请向邮政支局要新的价目表，由店主用 %s 载入。",
			"tariff %s is valid from %s to %s, not today (%s); nothing was done. Ask the post office for a current one and have the owner load it with %s.",
			t.Version, t.ValidFrom, t.ValidUntil, day, st.LoadCommand())
	}
	return t, nil
}

// LoadTariff records the tariff in the ledger, then makes it the station's
// current one. Loading the same file again records nothing new.
func (st *Folder) LoadTariff(file []byte, t *tariff.Tariff, operator string) (ledger.Entry, error) {
	sum := sha256.Sum256(file)
	payload, err := json.Marshal(map[string]string{
		"version": t.Version, "issuer": t.Issuer, "valid_from": t.ValidFrom, "valid_until": t.ValidUntil,
		"sha256": hex.EncodeToString(sum[:]),
	})
	if err != nil {
		return ledger.Entry{}, err
	}
	e, _, err := st.Ledger.Append(ledger.Draft{
		Operator: operator, Kind: "tariff_load", IdemKey: "tariff_load:" + hex.EncodeToString(sum[:16]), Payload: payload,
	})
	if err != nil {
		return ledger.Entry{}, err
	}
	tmp := st.Path(TariffFile + ".tmp")
	if err := os.WriteFile(tmp, file, 0o644); err != nil {
		return ledger.Entry{}, refuse(err, "写不了价目表。", "cannot write the tariff.")
	}
	if err := os.Rename(tmp, st.Path(TariffFile)); err != nil {
		os.Remove(tmp)
		return ledger.Entry{}, refuse(err, "写不了价目表。", "cannot write the tariff.")
	}
	return e, nil
}
