package postserver

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
)

// upload takes a day file: the answer is what postoffice import decides.
func (s *Server) upload(r *request) (int, any) {
	f, err := settlement.Parse(r.body)
	if err == nil && f.Station != r.station.ID {
		return 0, postapi.Refuse(http.StatusForbidden, "other_station", "这是服务站 %s 的文件，不能由服务站 %s 交。", "this is station %s's file; station %s cannot send it.", f.Station, r.station.ID)
	}
	outs, err := s.office.Import(r.Context(), r.body)
	var re *registry.Error
	if errors.As(err, &re) && len(outs) == 0 {
		return http.StatusOK, refused(re)
	}
	if err != nil && len(outs) == 0 {
		s.logf("postserver: import from %s: %v", r.station.ID, err)
		return 0, err
	}
	if err != nil {
		// The file itself was decided; a held day it let in was not.
		s.logf("postserver: import from %s, held days: %v", r.station.ID, err)
	}
	out := s.outcome(r.Context(), outs[0])
	for _, o := range outs[1:] {
		out.Also = append(out.Also, s.outcome(r.Context(), o))
	}
	return http.StatusOK, out
}

func (s *Server) outcome(ctx context.Context, o registry.Outcome) postapi.Outcome {
	out := postapi.Outcome{Result: o.Status, Station: o.Station, Day: o.Day, Entries: o.Entries}
	switch o.Status {
	case registry.Accepted:
		out.Ack = string(o.Ack)
		out.ZH, out.EN = "邮政已接收这一天的账，回执附上。", "the post office accepted the day; its acknowledgement is attached."
	case registry.Replay:
		// The station may have lost the first answer: give the
		// acknowledgement again if the day was accepted.
		out.Ack = string(o.Ack)
		if o.Ack == nil {
			if ack, err := s.office.AckFor(ctx, o.Station, o.Day); err == nil && ack != nil {
				out.Ack = string(ack)
			}
		}
		out.ZH, out.EN = "这一天的账邮政以前收到过，没有改动。", "the post office had this day already; nothing changed."
	case registry.Held:
		out.ZH = "邮政已核验并暂存这一天；它前面还缺几天的账没到，请先把缺的那几天交上。"
		out.EN = "the post office verified and holds this day; days before it are missing: send those first."
	case registry.Fork:
		out.ZH = "这一天的账和邮政已经回执的账对不上，邮政已留证。请联系邮政支局。"
		out.EN = "this day contradicts what the post office acknowledged; it was kept as evidence. Call the post office."
	}
	return out
}

// refused says why a file was refused, naming the rule.
func refused(re *registry.Error) postapi.Outcome {
	zh := map[string]string{
		registry.ErrUnknownStation: "邮政没有登记这个服务站。",
		registry.ErrRetired:        "这个服务站已经退出，邮政不再接收它的文件。",
		registry.ErrWrongKey:       "文件不是用邮政登记的服务站密钥签的。",
		registry.ErrBadFile:        "文件核验不通过：可能被改过，或没有传完整。请重新发送。",
		registry.ErrFuture:         "文件的营业日还没到：请核对电脑的日期。",
		registry.ErrChain:          "文件接不上邮政已回执的账。请联系邮政支局。",
		registry.ErrCharges:        "文件里的手续费、佣金或商品价格不是邮政价目表上的。请联系邮政支局。",
		registry.ErrDecision:       "文件里记的纠纷答复或退款不是邮政支局签发的答复。请联系邮政支局。",
	}[re.Kind]
	if zh == "" {
		zh = "邮政没有接收这个文件。"
	}
	return postapi.Outcome{Result: postapi.Refused, Station: re.Station, Rule: re.Kind, ZH: zh + "邮政这边什么都没有改动。", EN: re.Error()}
}

// acks gives the acknowledgements of the days after ?after=.
func (s *Server) acks(r *request) (int, any) {
	after := r.URL.Query().Get("after")
	if after != "" {
		if t, err := time.Parse(time.DateOnly, after); err != nil || t.Format(time.DateOnly) != after {
			return 0, postapi.Refuse(http.StatusBadRequest, postapi.RuleBadQuery, "after 要写成 2026-11-20 这样的日期。", "after: want a date like 2026-11-20.")
		}
	}
	acks, err := s.office.Acks(r.Context(), r.station.ID, after)
	if err != nil {
		s.logf("postserver: acks of %s: %v", r.station.ID, err)
		return 0, err
	}
	out := postapi.Acks{Acks: []string{}}
	for _, a := range acks {
		out.Acks = append(out.Acks, string(a))
	}
	return http.StatusOK, out
}

// tariff gives the signed tariff issued to the station.
func (s *Server) tariff(r *request) (int, any) {
	version, signed, err := s.office.Tariff(r.Context(), r.station.ID)
	if errors.Is(err, office.ErrNoTariff) {
		return 0, postapi.Refuse(http.StatusNotFound, postapi.RuleNotFound, "邮政还没有给这个服务站发价目表。", "no tariff was issued to this station.")
	}
	if err != nil {
		s.logf("postserver: tariff of %s: %v", r.station.ID, err)
		return 0, err
	}
	return http.StatusOK, postapi.Tariff{Version: version, Signed: string(signed)}
}
