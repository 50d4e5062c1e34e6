package postserver

import (
	"container/heap"
	"sync"
	"time"
)

// nonces remembers the nonces of verified requests until their time is
// too old for a request to be accepted anyway: a request sent twice is
// answered once. Expired nonces leave in order of expiry, so adding costs
// O(log n) whatever the number held.
type nonces struct {
	mu     sync.Mutex
	seen   map[string]time.Time
	expiry expiries
}

func newNonces() *nonces { return &nonces{seen: map[string]time.Time{}} }

// add records key until until and reports whether it was new.
func (n *nonces) add(key string, until, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for len(n.expiry) > 0 && n.expiry[0].until.Before(now) {
		e := heap.Pop(&n.expiry).(expiry)
		if n.seen[e.key].Equal(e.until) {
			delete(n.seen, e.key)
		}
	}
	if _, ok := n.seen[key]; ok {
		return false
	}
	n.seen[key] = until
	heap.Push(&n.expiry, expiry{key, until})
	return true
}

type expiry struct {
	key   string
	until time.Time
}

type expiries []expiry

func (e expiries) Len() int           { return len(e) }
func (e expiries) Less(i, j int) bool { return e[i].until.Before(e[j].until) }
func (e expiries) Swap(i, j int)      { e[i], e[j] = e[j], e[i] }
func (e *expiries) Push(x any)        { *e = append(*e, x.(expiry)) }
func (e *expiries) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}
