package main

import (
	"context"

	"github.com/villagepost/bianmin/shopfront"
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
	info, err := shopfront.CreatedOf(st)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(m.Stdout, info)
	}
	m.printf("%s\n", "%s\n", info.VerifierKey)
	return nil
}
