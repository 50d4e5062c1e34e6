package staffweb

import (
	"errors"
	"net/http"
	"strings"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/registry"
)

type enrolData struct {
	*page
	Tariffs                                   []string
	Station, Key, Franchisee, Deposit, Tariff string
	Field, Error                              string // the field that is wrong and why
	Done                                      *registry.Station
	Seal                                      string
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("登记服务站", "Enrol a station")
	d := &enrolData{page: p}
	var err error
	if d.Tariffs, err = s.office.Tariffs(r.Context()); err != nil {
		s.busy(w, r, p, err)
		return
	}
	s.render(w, http.StatusOK, "enrol", d)
}

// enrol records a station from the form, as postoffice enrol does with
// a tariff issued before.
func (s *Server) enrol(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("登记服务站", "Enrol a station")
	d := &enrolData{page: p, Station: strings.TrimSpace(r.PostFormValue("station")), Key: strings.TrimSpace(r.PostFormValue("key")),
		Franchisee: r.PostFormValue("franchisee"), Deposit: r.PostFormValue("deposit"), Tariff: r.PostFormValue("tariff")}
	var err error
	if d.Tariffs, err = s.office.Tariffs(r.Context()); err != nil {
		s.busy(w, r, p, err)
		return
	}
	bad := func(field, zh, en string) {
		d.Field, d.Error = field, p.say(zh, en)
		s.render(w, http.StatusUnprocessableEntity, "enrol", d)
	}
	amount, err := money.Parse("deposit", d.Deposit, money.Limits{Max: registry.MaxDeposit, AllowZero: true})
	if err != nil {
		bad("deposit", "押金要写成 20000.00 这样的金额（元，最多两位小数，不超过 1000 万）。", "Write the deposit like 20000.00 (yuan, at most two decimals, at most 10 million).")
		return
	}
	st, err := s.office.Enrol(r.Context(), registry.Enrolment{Station: d.Station, Key: d.Key, Franchisee: d.Franchisee, Deposit: amount, Tariff: d.Tariff}, nil)
	var re *registry.Error
	switch {
	case errors.As(err, &re) && re.Kind == registry.ErrExists:
		bad("station", "这个站号已经登记过了。", "This station is enrolled already.")
		return
	case errors.As(err, &re) && re.Kind == registry.ErrInput:
		field, _, _ := strings.Cut(re.Detail, ":")
		words := map[string][2]string{
			"station":    {"站号要用 1 到 32 个字母、数字、点、下划线或减号（例如 T0001）。", "The station id: 1 to 32 letters, digits, '.', '_' or '-' (like T0001)."},
			"pubkey":     {"站点密钥不对：请把服务站开通时打印的那一行（T0001+…+…）原样抄进来，站号要和上面一致。", "The station key is wrong: copy the line station init printed (T0001+…+…) exactly; its id must match the one above."},
			"franchisee": {"加盟人姓名要写 1 到 64 个字，一行。", "The franchisee's name: 1 to 64 characters on one line."},
			"deposit":    {"押金要在 0 到 1000 万元之间，最多两位小数。", "The deposit: 0 to 10 million yuan, at most two decimals."},
			"tariff":     {"请选一个已签发的价目表。", "Choose an issued tariff."},
		}[field]
		if field == "pubkey" {
			field = "key"
		}
		bad(field, words[0], words[1])
		return
	case err != nil:
		s.busy(w, r, p, err)
		return
	}
	pub, _ := registry.PublicKey(st.Key)
	d.Done, d.Seal = &st, keyfile.Fingerprint(pub)
	s.render(w, http.StatusOK, "enrol", d)
}
