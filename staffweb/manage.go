package staffweb

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
)

type doneData struct {
	*page
	Lines []string
	Back  string
}

// refusedBy says a registry refusal of a manager's action in plain words.
func (s *Server) refusedBy(w http.ResponseWriter, r *http.Request, p *page, err error) {
	var mf *office.MissingFileError
	if errors.As(err, &mf) && mf.Differs {
		s.problem(w, r, p, http.StatusConflict,
			fmt.Sprintf("服务站 %s 营业日 %s 的日结文件不在登记簿里，本服务器文件夹里的那一份又不是当初接收的文件（SHA-256 对不上）。请在接收这一天的那台服务器上做一次这个操作。这次什么都没有做。", mf.Station, mf.Day),
			fmt.Sprintf("The day file of station %s day %s is not in the registry, and the copy in this server's folder is not the file accepted (its SHA-256 differs). Do this once on the server that accepted the day. Nothing was done.", mf.Station, mf.Day))
		return
	}
	if errors.As(err, &mf) {
		s.problem(w, r, p, http.StatusConflict,
			fmt.Sprintf("服务站 %s 营业日 %s 的日结文件不在登记簿里，也不在本服务器的文件夹里：这一天是在登记簿开始保存日结文件以前、由另一台邮政服务器接收的。请在那台服务器上做一次这个操作（它会把文件存进登记簿）。这次什么都没有做。", mf.Station, mf.Day),
			fmt.Sprintf("The day file of station %s day %s is neither in the registry nor in this server's folder: the day was accepted before the registry kept day files, by another post office server. Do this once on that server (it puts the file into the registry). Nothing was done.", mf.Station, mf.Day))
		return
	}
	var re *registry.Error
	if !errors.As(err, &re) {
		s.busy(w, r, p, err)
		return
	}
	words := map[string][2]string{
		registry.ErrUnknownStation: {"没有登记这个服务站", "no such station is enrolled"},
		registry.ErrRetired:        {"这个服务站已经退出了", "the station has retired already"},
		registry.ErrOpen:           {"还有文件在等缺的营业日，先把缺的那一天导入", "files wait for a missing day; import that day first"},
		registry.ErrInput:          {"换钥声明不对：请把服务站打印的整份声明（从 bianmin-key-rotation-v1 到签名行）原样贴进来，声明的起始笔数要接在已回执的最后一笔后面", "the rotation note is wrong: paste the whole note the station printed (from bianmin-key-rotation-v1 to the signature line); its first entry must follow the last acknowledged one"},
		registry.ErrWrongKey:       {"换钥声明不是用服务站现在登记的密钥签的", "the rotation note is not signed with the station's enrolled key"},
	}[re.Kind]
	if words[0] == "" {
		words = [2]string{"登记簿不接受这个操作", "the registry does not take this"}
	}
	s.problem(w, r, p, http.StatusUnprocessableEntity, words[0]+"。什么都没有改动。", words[1]+". Nothing was changed.")
}

// rotate records a station's new key from its pasted rotation note.
func (s *Server) rotate(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	p.Title = p.say("换密钥 ", "New key for ") + id
	note := strings.ReplaceAll(r.PostFormValue("vouch"), "\r\n", "\n")
	if strings.TrimSpace(note) == "" {
		s.problem(w, r, p, http.StatusUnprocessableEntity, "请把服务站打印的换钥声明贴进来。什么都没有改动。", "Paste the rotation note the station printed. Nothing was changed.")
		return
	}
	if !strings.HasSuffix(note, "\n") {
		note += "\n"
	}
	st, err := s.office.RotateKey(r.Context(), id, []byte(note))
	if err != nil {
		s.refusedBy(w, r, p, err)
		return
	}
	k := st.Keys[len(st.Keys)-1]
	pub, _ := registry.PublicKey(k.Key)
	s.render(w, http.StatusOK, "done", &doneData{page: p, Back: "/stations/" + st.ID, Lines: []string{
		fmt.Sprintf(p.say("服务站 %s 从第 %d 笔起改用新密钥，印章编号 %s。", "Station %s signs with its new key from entry %d on, seal number %s."), st.ID, k.From, keyfile.Fingerprint(pub)),
		p.say("此后用旧密钥签的文件一律拒收。", "Files signed with the old key for those entries are refused from now on."),
	}})
}

// retire settles a station for good once its id is typed again.
func (s *Server) retire(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	p.Title = p.say("服务站退出 ", "Retire ") + id
	if strings.TrimSpace(r.PostFormValue("confirm")) != id {
		s.problem(w, r, p, http.StatusUnprocessableEntity, "确认栏里要再写一遍站号 "+id+"。什么都没有改动。", "Type the station id "+id+" again in the confirmation box. Nothing was changed.")
		return
	}
	st, err := s.office.Retire(r.Context(), id)
	var ce *office.CloseoutError
	if err != nil && !errors.As(err, &ce) {
		s.refusedBy(w, r, p, err)
		return
	}
	t := st.Retirement
	lines := []string{
		fmt.Sprintf(p.say("服务站 %s 已退出，今后不再接收它的文件。", "Station %s is retired; no file from it is accepted any more."), st.ID),
	}
	if t.Last.Seq == 0 {
		lines = append(lines, fmt.Sprintf(p.say("支局没有收到过它的日结文件，没有营业日可结算。押金 %s。", "The post office never accepted a day file from it: no business day to settle. Deposit %s."), money.FormatReceipt(t.Deposit)))
	} else {
		lines = append(lines, fmt.Sprintf(p.say("结算到营业日 %s（第 %d 笔）。押金 %s。", "Settled through business day %s (entry %d). Deposit %s."), orDash(t.LastDay), t.Last.Seq, money.FormatReceipt(t.Deposit)))
	}
	if t.Return.IsNegative() {
		lines = append(lines, fmt.Sprintf(p.say("押金不够抵：加盟人还须交回 %s。", "The deposit does not cover it: the franchisee must still pay %s."), money.FormatReceipt(t.Return.Neg())))
	} else {
		lines = append(lines, fmt.Sprintf(p.say("应退还加盟人 %s。", "To return to the franchisee: %s."), money.FormatReceipt(t.Return)))
	}
	if t.Forks > 0 {
		lines = append(lines, fmt.Sprintf(p.say("注意：该站有 %d 个分叉文件留证，未了结。", "Note: %d forked file(s) are kept as evidence and not resolved."), t.Forks))
	}
	if ce != nil {
		s.logf("staffweb: %v", ce)
		lines = append(lines, p.say("但结清单没能存到支局文件夹里，请技术人员查看。", "But the close-out statement could not be saved in the post office's folder; ask the technician."))
	} else {
		lines = append(lines, p.say("支局签章的结清单已存到 closeout 文件夹。", "The close-out statement signed by the post office is kept in the closeout folder."))
	}
	s.render(w, http.StatusOK, "done", &doneData{page: p, Back: "/stations/" + st.ID, Lines: lines})
}
