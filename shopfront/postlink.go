package shopfront

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/web"
)

// PostLink sends the closed days to the post office while station serve
// runs: at start, right after each close, and every quarter of an hour
// (to fetch acknowledgements of days that went by USB stick, and a newer
// tariff the post office issued, which the screen uses from then on). When the
// line is down it tries again, waiting longer each time (30 s doubling
// to 30 min, with jitter so that a village's stations do not all retry at
// once). The days stay in the station's folder until acknowledged.
type PostLink struct {
	st     *Folder
	client *postapi.Client
	now    func() time.Time
	kick   chan struct{}
	// onTariff is told when the link loaded a newer tariff, so that the
	// screen prices the next customer by it.
	onTariff func() error

	mu      sync.Mutex
	problem [2]string
	trying  bool
	refused bool
	next    time.Time
}

// Backoff bounds of the post office link.
const (
	postRetryFirst = 30 * time.Second
	postRetryMax   = 30 * time.Minute
	postEvery      = 15 * time.Minute
)

func newPostLink(st *Folder, client *postapi.Client, now func() time.Time) *PostLink {
	return &PostLink{st: st, client: client, now: now, kick: make(chan struct{}, 1)}
}

// send asks for a send now (after a close); it never blocks.
func (p *PostLink) send() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends. report is told what each round did.
func (p *PostLink) Run(ctx context.Context, report func(*UploadReport, error)) {
	wait := time.Duration(0)
	failures := 0
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-p.kick:
			timer.Stop()
		case <-timer.C:
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		rep, err := p.st.Exchange(rctx, p.client)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if rep.Tariff != "" && p.onTariff != nil {
			if terr := p.onTariff(); terr != nil && err == nil {
				err = terr
			}
		}
		p.mu.Lock()
		p.refused = err == nil && rep.Problems > 0
		if err != nil {
			failures++
			wait = postRetryFirst << min(failures-1, 6)
			if wait > postRetryMax {
				wait = postRetryMax
			}
			wait = wait/2 + rand.N(wait/2+1)
			var pr *Refusal
			if errors.As(PostofficeErr(err, len(rep.Sent)), &pr) {
				p.problem = [2]string{pr.Zh, pr.En}
			}
			p.trying = true
		} else {
			failures, wait = 0, postEvery
			p.problem, p.trying = [2]string{}, false
			if p.refused {
				p.problem = [2]string{"有一天的账邮政没有接收，请看“邮政对账”并联系邮政支局。", "the post office did not accept a day: see Post office results and call the post office."}
			}
		}
		p.next = p.now().Add(wait)
		p.mu.Unlock()
		if report != nil {
			report(rep, err)
		}
	}
}

// status says how sending stands, for the screen.
func (p *PostLink) status() (web.PostStatus, error) {
	s := web.PostStatus{Linked: true}
	p.mu.Lock()
	s.Problem, s.Trying, s.Refused, s.NextTry = p.problem, p.trying, p.refused, p.next
	p.mu.Unlock()
	if _, latest, err := p.st.LatestAck(); err != nil {
		return s, err
	} else if latest != nil {
		s.AckedUntil = latest.Day
	}
	days, err := p.st.Unsent("")
	if err != nil {
		return s, err
	}
	for _, d := range days {
		s.Unsent = append(s.Unsent, d.File.Day)
	}
	s.LastClosed = s.AckedUntil
	if len(s.Unsent) > 0 {
		s.LastClosed = s.Unsent[len(s.Unsent)-1]
	}
	return s, nil
}

// PostStatus says how sending the day files stands.
func (d *Desk) PostStatus() web.PostStatus {
	if d.post == nil {
		return web.PostStatus{}
	}
	s, err := d.post.status()
	if err != nil {
		s.Problem = [2]string{"读不了本站的日结文件或回执，请联系技术支持。", "cannot read the station's day files or acknowledgements; call support."}
	}
	return s
}

// PostResults asks the post office for the station's month.
func (d *Desk) PostResults(ctx context.Context, month string) (postapi.Results, error) {
	if d.post == nil {
		return postapi.Results{}, errors.New("station: no post office link")
	}
	return d.post.client.Results(ctx, month)
}

var _ web.PostOffice = (*Desk)(nil)
