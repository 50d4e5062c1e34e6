package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"
)

// runEd25519 prints the rate of bare Ed25519 verifications on all cores:
// 32-byte messages (an entry hash) under a few dozen keys, as the post
// office verifies them, split over GOMAXPROCS goroutines. It runs three
// times and prints the median.
func runEd25519(args []string) error {
	fs := flag.NewFlagSet("ed25519", flag.ContinueOnError)
	n := fs.Int("n", 200000, "verifications per run")
	runs := fs.Int("runs", 3, "runs; the median is printed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	const keys = 64
	pubs := make([]ed25519.PublicKey, keys)
	msgs := make([][]byte, keys)
	sigs := make([][]byte, keys)
	for i := range keys {
		seed := sha256.Sum256(fmt.Appendf(nil, "ed25519-rate-%d", i))
		priv := ed25519.NewKeyFromSeed(seed[:])
		pubs[i] = priv.Public().(ed25519.PublicKey)
		h := sha256.Sum256(seed[:])
		msgs[i], sigs[i] = h[:], ed25519.Sign(priv, h[:])
	}
	workers := runtime.GOMAXPROCS(0)
	var rates []float64
	for range *runs {
		var wg sync.WaitGroup
		var bad error
		var mu sync.Mutex
		start := time.Now()
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < *n; i += workers {
					if !ed25519.Verify(pubs[i%keys], msgs[i%keys], sigs[i%keys]) {
						mu.Lock()
						bad = errors.New("a good signature did not verify")
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		if bad != nil {
			return bad
		}
		rates = append(rates, float64(*n)/time.Since(start).Seconds())
	}
	sort.Float64s(rates)
	fmt.Printf("ed25519_verify_per_s %.0f cores %d runs %d min %.0f max %.0f\n", rates[len(rates)/2], workers, len(rates), rates[0], rates[len(rates)-1])
	return nil
}
