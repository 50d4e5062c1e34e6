package settlement_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

// A fixed post office key for the acknowledgement fuzz target, so that its
// seeds stay signed from run to run.
const (
	fuzzPOSigner   = "PRIVATE+KEY+fuzz-postoffice+2c91f0c8+AdFg57jd7u7XHQIHChPHbtFqMBiav6/EijnaXp5SDz3w"
	fuzzPOVerifier = "fuzz-postoffice+2c91f0c8+Ab1YW5BWIbHQgZnZJSMxZLxc9m0eLCMlcRkt3/6I6cnd"
)

// FuzzOpenAck: any bytes given to OpenAck are refused with
// ErrAckSignature or a *FormatError, or read as an acknowledgement; and
// any text the post office signs is either refused with a *FormatError or
// read as an acknowledgement whose canonical text is exactly what was
// signed, with a real business day, that signs back to the same note.
func FuzzOpenAck(f *testing.F) {
	signer, verifier := fuzzPOKeys(f)
	good := settlement.Ack{Station: "T0001", Last: ledger.Checkpoint{Seq: 97, Hash: [32]byte{1, 2, 3}}, Day: "2026-11-20"}
	msg, err := settlement.SignAck(good, signer)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(msg)
	f.Add([]byte(good.AckText()))
	for _, s := range []string{
		"", "T0001\n97\n", "T0001\n097\nAQID\n2026-11-20\n", "T0001\n97\nnot base64\n2026-11-20\n",
		"T0001\n97\nAQIDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n2026-13-45\n",
		"T0001\n97\nAQIDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nabcdefghij\n",
		"T 1\n1\nAQIDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n2026-11-20\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if a, err := settlement.OpenAck(data, verifier); err != nil {
			var fe *settlement.FormatError
			if !errors.Is(err, settlement.ErrAckSignature) && !errors.As(err, &fe) {
				t.Fatalf("OpenAck: error %v is neither ErrAckSignature nor a *FormatError", err)
			}
		} else {
			checkAck(t, a, signer, verifier)
		}

		signed, err := note.Sign(&note.Note{Text: string(data)}, signer)
		if err != nil {
			return // not a note's text at all
		}
		a, err := settlement.OpenAck(signed, verifier)
		if err != nil {
			var fe *settlement.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("OpenAck of a note the post office signed: error %v is not a *FormatError", err)
			}
			return
		}
		if a.AckText() != string(data) {
			t.Fatalf("OpenAck read %q as %+v, whose text is %q", data, a, a.AckText())
		}
		if again, err := settlement.SignAck(a, signer); err != nil || !bytes.Equal(again, signed) {
			t.Fatalf("%+v signs to a different note: %v", a, err)
		}
		checkAck(t, a, signer, verifier)
	})
}

func checkAck(t *testing.T, a settlement.Ack, signer note.Signer, verifier note.Verifier) {
	t.Helper()
	if a.Station == "" || strings.ContainsAny(a.Station, " +\n") || a.Last.Seq == 0 {
		t.Fatalf("an acknowledgement with a bad station or entry: %+v", a)
	}
	if _, err := time.Parse(time.DateOnly, a.Day); err != nil {
		t.Fatalf("an acknowledgement for day %q, not a date", a.Day)
	}
	msg, err := settlement.SignAck(a, signer)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := settlement.OpenAck(msg, verifier); err != nil || back != a {
		t.Fatalf("%+v signed and opened gives %+v, %v", a, back, err)
	}
}

func fuzzPOKeys(f *testing.F) (note.Signer, note.Verifier) {
	signer, err := note.NewSigner(fuzzPOSigner)
	if err != nil {
		f.Fatal(err)
	}
	verifier, err := note.NewVerifier(fuzzPOVerifier)
	if err != nil {
		f.Fatal(err)
	}
	return signer, verifier
}
