package staffweb

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
)

type exceptionRow struct {
	reconcile.Exception
	KindName, Explain, StationSays, HostSays string
}

type reconcileData struct {
	*page
	Date      string
	Error     string
	Report    *reconcile.Report
	Rows      []exceptionRow
	Journals  []string
	Saved     string
	Unmatched int
	Disputes  []disputeRow // the disputes about the day's requests, beside their entries
}

func (s *Server) reconcilePage(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("对账", "Reconciliation")
	yesterday, _ := time.Parse(time.DateOnly, today(s.now(), ""))
	s.render(w, http.StatusOK, "reconcile", &reconcileData{page: p, Date: yesterday.AddDate(0, 0, -1).Format(time.DateOnly)})
}

// reconcile runs the day's reconciliation against the uploaded journals,
// as postoffice reconcile does, and keeps its exceptions where that
// command keeps them.
func (s *Server) reconcile(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("对账", "Reconciliation")
	d := &reconcileData{page: p, Date: r.PostFormValue("date")}
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		d.Error = p.say("营业日要写成 2026-11-20 这样。", "Write the business day like 2026-11-20.")
		s.render(w, http.StatusUnprocessableEntity, "reconcile", d)
		return
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["journal"]
	}
	if len(files) == 0 {
		d.Error = p.say("请选择银行、收费单位、承运人的流水文件（可以选几个）。", "Choose the hosts' journal files (one or more).")
		s.render(w, http.StatusUnprocessableEntity, "reconcile", d)
		return
	}
	var js []reconcile.Journal
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			s.busy(w, r, p, err)
			return
		}
		defer f.Close()
		name := filepath.Base(fh.Filename)
		js = append(js, reconcile.Journal{Name: name, R: f})
		d.Journals = append(d.Journals, name)
	}
	rep, err := s.office.Reconcile(r.Context(), d.Date, js)
	if err != nil {
		s.busy(w, r, p, err)
		return
	}
	if d.Saved, err = s.office.SaveReconciliation(r.Context(), rep, ""); err != nil {
		s.busy(w, r, p, err)
		return
	}
	d.Saved = filepath.Base(d.Saved)
	d.Report = rep
	for _, e := range rep.Exceptions {
		row := exceptionRow{Exception: e, KindName: reconcile.KindName(e.Kind, p.En), Explain: e.Explain(),
			StationSays: strings.TrimSpace(reconcile.StateName(e.StationState, p.En) + " " + e.StationAmount),
			HostSays:    strings.TrimSpace(reconcile.StateName(e.HostState, p.En) + " " + e.HostAmount)}
		if p.En {
			row.Explain = e.Detail
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Disputes, err = s.dayDisputes(r, p, d.Date, rep); err != nil {
		s.busy(w, r, p, err)
		return
	}
	s.render(w, http.StatusOK, "reconcile", d)
}

type importRow struct {
	File, Sign, Text string
}

type importData struct {
	*page
	Rows []importRow
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("导入日结文件", "Import day files")
	s.render(w, http.StatusOK, "import", &importData{page: p})
}

// importFiles imports day files, each as postoffice import does.
func (s *Server) importFiles(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.say("导入日结文件", "Import day files")
	d := &importData{page: p}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["day"]
	}
	for _, fh := range files {
		name := filepath.Base(fh.Filename)
		f, err := fh.Open()
		if err != nil {
			s.busy(w, r, p, err)
			return
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			s.busy(w, r, p, err)
			return
		}
		outs, err := s.office.Import(r.Context(), data)
		var re *registry.Error
		switch {
		case errors.As(err, &re):
			d.Rows = append(d.Rows, importRow{name, "✗", p.say("拒收：", "Refused: ") + p.registryWords(re)})
		case err != nil:
			s.busy(w, r, p, err)
			return
		}
		for i, o := range outs {
			file := name
			if i > 0 {
				file = p.say("（暂存的）", "(held) ") + o.Station + " " + o.Day
			}
			d.Rows = append(d.Rows, p.outcome(file, o))
		}
	}
	if len(files) == 0 {
		d.Rows = append(d.Rows, importRow{"-", "✗", p.say("没有选择文件。", "No file was chosen.")})
	}
	s.render(w, http.StatusOK, "import", d)
}

func (p *page) outcome(file string, o registry.Outcome) importRow {
	switch o.Status {
	case registry.Accepted:
		return importRow{file, "✓", fmt.Sprintf(p.say("接受：%s 营业日 %s，%d 笔", "Accepted: %s day %s, %d entries"), o.Station, o.Day, o.Entries)}
	case registry.Replay:
		return importRow{file, "=", fmt.Sprintf(p.say("重复：%s 营业日 %s 以前导入过，没有改动", "Replay: %s day %s was imported before; nothing changed"), o.Station, o.Day)}
	case registry.Held:
		return importRow{file, "…", fmt.Sprintf(p.say("缺日：%s 营业日 %s 已核验并暂存，缺少第 %d 至 %d 笔，补齐后自动导入",
			"Gap: %s day %s verified and held; entries %d to %d are missing; it is imported when they come"), o.Station, o.Day, o.GapFrom, o.GapTo)}
	}
	return importRow{file, "⚠", fmt.Sprintf(p.say("分叉：%s 营业日 %s 与已回执的账不一致，已留证并标记该站。不要付款",
		"Fork: %s day %s contradicts what was acknowledged; kept as evidence, the station flagged. Pay nothing"), o.Station, o.Day)}
}

// registryWords says a registry refusal in plain words, as postoffice
// import says it.
func (p *page) registryWords(re *registry.Error) string {
	w, ok := map[string][2]string{
		registry.ErrUnknownStation: {"没有登记这个服务站，请主管先登记它", "no such station is enrolled; a manager enrols it first"},
		registry.ErrRetired:        {"这个服务站已经退出，不再接收它的文件", "the station has retired; its files are no longer accepted"},
		registry.ErrWrongKey:       {"签名密钥不是登记的那一把。请与服务站核对印章编号", "not signed with the enrolled key; check the seal number with the station"},
		registry.ErrBadFile:        {"文件核验不通过（可能被改过或没拷全）。请服务站重新导出后再交", "the file does not verify (changed or copied incompletely); ask the station to export it again"},
		registry.ErrFuture:         {"文件的营业日还没到。请核对本机和服务站的日期", "the file's business day has not come yet; check the dates"},
		registry.ErrChain:          {"文件接不上已回执的账。请联系服务站核查，不要付款", "the file does not follow what was acknowledged; contact the station, pay nothing"},
		registry.ErrOpen:           {"还有文件在等缺的营业日。先导入缺的那一天", "files wait for a missing day; import that day first"},
		registry.ErrCharges:        {"文件里的手续费、佣金或价格不是本支局签发的价目表上的。这一天的佣金先不要付", "a fee, commission or price is not the issued tariff's; pay no commission on this day yet"},
		registry.ErrDecision:       {"文件里记的纠纷答复或退款不是本支局签发的答复（伪造、改过，或同一笔退款付了两次）。请联系服务站核查，不要付款", "a dispute decision or refund in the file is not one this post office issued (forged, altered, or paid twice); contact the station, pay nothing"},
	}[re.Kind]
	if !ok {
		return p.say("文件不能接收", "the file cannot be taken")
	}
	return p.say(w[0], w[1]) + p.say("。什么都没有改动。", ". Nothing was changed.")
}
