package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/villagepost/bianmin/terminal"
)

// The owner's way back in: an operator locked out by wrong PINs (the
// owner included) is unlocked at once with the station key's passphrase,
// which a PIN guesser does not have. Wrong passphrases are limited as
// PINs are: terminal.MaxPINFailures in a row from one address close the
// page to that address for terminal.LockoutFor, and after
// terminal.MaxPINFailuresPerDay in a day the page is closed to everyone
// until the program restarts; station operator unlock at the shop's
// machine still works.

// unlockTries counts wrong passphrases typed at the unlock page. A try
// is counted as wrong before the passphrase is checked (and taken back
// if it was right), and one passphrase is checked at a time, so that
// many tries sent at once cannot pass the limits or run many costly
// key derivations together.
type unlockTries struct {
	one  sync.Mutex // held while a passphrase is checked
	mu   sync.Mutex
	from map[string]*terminal.Failures
	day  string
	fail int // wrong passphrases on day
}

// try counts a try from from, or says until when from may not try (zero:
// tried too often today).
func (u *unlockTries) try(from string, now time.Time) (until time.Time, shut bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.day == now.Format("2006-01-02") && u.fail >= terminal.MaxPINFailuresPerDay {
		return time.Time{}, true
	}
	if f := u.from[from]; f != nil && now.Before(f.Locked) {
		return f.Locked, true
	}
	u.count(from, now)
	return time.Time{}, false
}

func (u *unlockTries) count(from string, now time.Time) {
	if day := now.Format("2006-01-02"); u.day != day {
		u.day, u.fail, u.from = day, 0, nil // a new day: at most MaxPINFailuresPerDay addresses a day
	}
	u.fail++
	if u.from == nil {
		u.from = map[string]*terminal.Failures{}
	}
	f := u.from[from]
	if f == nil {
		f = &terminal.Failures{}
		u.from[from] = f
	}
	f.InARow++
	f.Last = now
	if f.InARow >= terminal.MaxPINFailures {
		f.InARow, f.Locked = 0, now.Add(terminal.LockoutFor)
	}
}

// succeeded takes back the try from from: the passphrase was right.
func (u *unlockTries) succeeded(from string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.from, from)
	u.fail--
}

type unlockData struct {
	Operators []terminal.Operator
}

func (s *Server) unlockForm(q *req) {
	s.showUnlock(q, newForm(nil))
}

func (s *Server) showUnlock(q *req, f *form) {
	ops, err := s.st.Operators()
	if err != nil {
		f.Top = s.st.Explain(err, q.ss.lang)
	}
	if f.V("operator") == "" && len(ops) > 0 {
		f.Values.Set("operator", ops[0].ID)
	}
	s.renderForm(q, "unlock", f, &unlockData{Operators: ops})
}

// unlock lifts an operator's lockout with the station key's passphrase;
// the station records it in the ledger.
func (s *Server) unlock(q *req) {
	f := newForm(q.r.PostForm)
	f.Values.Del("passphrase") // never shown back
	from, now, l := clientOf(q.r), s.now(), q.ss.lang
	if until, shut := s.unlocks.try(from, now); shut {
		q.status = http.StatusTooManyRequests
		if until.IsZero() {
			f.Errors["passphrase"] = say(l, "今天在网页上输错口令的次数太多，网页解锁已关闭。请在本机运行 station operator unlock 解锁。",
				"Too many wrong passphrases here today: unlocking on the screen is closed. Run station operator unlock on the shop's computer.")
		} else {
			f.Errors["passphrase"] = say(l, "从这台设备连续输错口令 "+strconv.Itoa(terminal.MaxPINFailures)+" 次，请到 "+until.In(s.st.Info().Zone).Format("15:04")+" 再试，或在本机运行 station operator unlock。",
				"Too many wrong passphrases from this device; try again at "+until.In(s.st.Info().Zone).Format("15:04")+", or run station operator unlock on the shop's computer.")
		}
		s.showUnlock(q, f)
		return
	}
	id := f.V("operator")
	s.unlocks.one.Lock()
	s.work.Lock()
	seq, err := s.st.Unlock(id, q.r.PostFormValue("passphrase"))
	s.work.Unlock()
	s.unlocks.one.Unlock()
	if err != nil {
		s.logf("web: unlock %s from %s refused: %v", id, from, err)
		f.Errors["passphrase"] = s.st.Explain(err, l)
		q.status = http.StatusUnauthorized
		s.showUnlock(q, f)
		return
	}
	s.unlocks.succeeded(from)
	s.render(q, "outcome", &outcome{
		Title: say(l, "已解锁", "Unlocked"),
		Big:   say(l, "操作员 "+id+" 已解锁", "Operator "+id+" is unlocked"),
		Lines: []string{say(l, "可以重新登录。解锁记在账本第 ", "They may sign in again. The unlock is ledger entry ") + strconv.FormatUint(seq, 10) + say(l, " 笔。", ".")},
		Next:  "/signin",
	})
}
