package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

// runUpload is the post office server's load test: every station of a
// generated region sends its day files to postoffice serve at once, as
// stations do after the evening close. A share of the first sends are
// cut off at a random moment (the line drops mid-upload or before the
// answer) and a share are sent twice at once; each station sends again
// until it has a trustworthy answer. At the end every station asks for
// its acknowledgements: each day must be acknowledged exactly once.
func runUpload(args []string) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	data := fs.String("data", "", "what region generate wrote")
	url := fs.String("url", "", "postoffice serve's address; several, comma-separated, spread the stations over servers sharing one database")
	poKey := fs.String("postoffice-key", "", "the post office's verifier key")
	drop := fs.Float64("drop", 0.1, "share of first sends cut off")
	dup := fs.Float64("dup", 0.1, "share of files sent twice at once")
	limit := fs.Duration("limit", 10*time.Minute, "give up after this long")
	at := fs.Int("concurrency", 0, "stations sending at once (0: all of them)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	v, err := note.NewVerifier(*poKey)
	if err != nil {
		return fmt.Errorf("upload: --postoffice-key: %w", err)
	}
	ids, err := stationIDs(filepath.Join(*data, "keys.txt"))
	if err != nil {
		return err
	}
	urls := strings.Split(*url, ",")
	serverOf := func(i int) string { return urls[i%len(urls)] }
	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		counts    = map[string]int{}
		entries   int
		firstErr  error
	)
	count := func(k string) { mu.Lock(); counts[k]++; mu.Unlock() }
	start := time.Now()
	var wg sync.WaitGroup
	sending := len(ids)
	if *at > 0 {
		sending = *at
	}
	slots := make(chan struct{}, sending)
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			c := &postapi.Client{URL: serverOf(i), Station: id, Key: stationKey(id), PostOffice: v, HTTP: &http.Client{Transport: transport, Timeout: 2 * time.Minute}}
			files, _ := filepath.Glob(filepath.Join(*data, "settlements", id+"-*.bms"))
			sort.Strings(files)
			for _, path := range files {
				body, err := os.ReadFile(path)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				f, err := settlement.Parse(body)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				if rng.Float64() < *dup {
					count("sent_twice")
					go c.Upload(ctx, body) // its answer is not waited for
				}
				if rng.Float64() < *drop {
					cut, stop := context.WithTimeout(ctx, time.Duration(rng.IntN(40))*time.Millisecond)
					if _, err := c.Upload(cut, body); err != nil {
						count("cut_off")
					}
					stop()
				}
				for attempt := 0; ; attempt++ {
					t := time.Now()
					out, err := c.Upload(ctx, body)
					if err == nil && (out.Result == postapi.Accepted || out.Result == postapi.Replay) {
						mu.Lock()
						latencies = append(latencies, time.Since(t))
						counts[out.Result]++
						entries += len(f.Records)
						mu.Unlock()
						break
					}
					if err == nil || ctx.Err() != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = fmt.Errorf("%s %s: %+v %v", id, f.Day, out, err)
						}
						mu.Unlock()
						return
					}
					count("retried")
					time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	// A line for a script that measures the servers' CPU over the
	// uploads alone, before the acknowledgements are fetched.
	fmt.Printf("uploads done in %.2f s\n", elapsed.Seconds())
	if firstErr != nil {
		return fmt.Errorf("upload: %w", firstErr)
	}
	// Every day acknowledged exactly once.
	lost, doubled := 0, 0
	for i, id := range ids {
		files, _ := filepath.Glob(filepath.Join(*data, "settlements", id+"-*.bms"))
		c := &postapi.Client{URL: serverOf(i), Station: id, Key: stationKey(id), PostOffice: v, HTTP: &http.Client{Transport: transport}}
		acks, err := c.Acks(ctx, "")
		if err != nil {
			return fmt.Errorf("upload: acks of %s: %w", id, err)
		}
		seen := map[string]bool{}
		for _, msg := range acks {
			a, err := settlement.OpenAck(msg, v)
			if err != nil {
				return fmt.Errorf("upload: an ack of %s: %w", id, err)
			}
			if seen[a.Day] {
				doubled++
			}
			seen[a.Day] = true
		}
		lost += len(files) - len(seen)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	q := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	fmt.Printf("uploaded %d stations, %d files, %d entries in %.2f s: %.1f files/s, %.0f entries/s, p50 %.1f ms, p99 %.1f ms; accepted %d, replay %d, cut off %d, sent twice %d, retried %d; lost %d, doubled %d\n",
		len(ids), len(latencies), entries, elapsed.Seconds(), float64(len(latencies))/elapsed.Seconds(), float64(entries)/elapsed.Seconds(),
		float64(q(0.5).Microseconds())/1000, float64(q(0.99).Microseconds())/1000,
		counts[postapi.Accepted], counts[postapi.Replay], counts["cut_off"], counts["sent_twice"], counts["retried"], lost, doubled)
	if lost != 0 || doubled != 0 {
		return fmt.Errorf("upload: %d days lost, %d doubled", lost, doubled)
	}
	return nil
}

// stationIDs reads the station ids of keys.txt ("T0001 T0001+…").
func stationIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if id, _, ok := strings.Cut(sc.Text(), " "); ok {
			ids = append(ids, id)
		}
	}
	return ids, sc.Err()
}
