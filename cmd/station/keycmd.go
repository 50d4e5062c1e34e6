package main

import (
	"context"
	"encoding/base64"

	"github.com/villagepost/bianmin/keyfile"
)

// runKey prints the station's verifier key, the line the post office
// enrols it with (as station init printed it), so that it can be given
// again without searching old output. It needs no passphrase: the key is
// public and comes from the genesis entry.
func (m *Main) runKey(ctx context.Context, args []string) error {
	st, asJSON, err := m.openView("key", args)
	if err != nil {
		return err
	}
	defer st.Close()
	g := st.Ledger.Genesis()
	vkey, err := keyfile.VerifierKey(g.Terminal, g.PublicKey)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(m.Stdout, stationInfo{Station: g.Terminal, Name: g.Name, Zone: g.Zone,
			PublicKey: base64.StdEncoding.EncodeToString(g.PublicKey), Fingerprint: keyfile.Fingerprint(g.PublicKey), VerifierKey: vkey})
	}
	m.printf("%s\n", "%s\n", vkey)
	return nil
}
