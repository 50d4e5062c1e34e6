package reconcile

// kindNames names the kinds of exception for the clerk: Chinese, English.
var kindNames = map[string][2]string{
	MissingAtHost:      {"主机无记录", "missing at the host"},
	MissingAtStation:   {"服务站无记录", "missing at the station"},
	NoFile:             {"服务站文件未到", "no file from the station"},
	UnknownStation:     {"未登记的服务站", "station not enrolled"},
	AmountMismatch:     {"金额不符", "amounts differ"},
	Duplicate:          {"主机重复处理", "decided twice at the host"},
	ReversedApproved:   {"一方冲正一方成功", "reversed on one side only"},
	QueuedNotConfirmed: {"排队未确认", "queued, not confirmed"},
	StatusMismatch:     {"结果不一致", "outcomes differ"},
}

// KindName names an exception's kind for the clerk, in Chinese or (en)
// English; an unknown kind is named as it is.
func KindName(kind string, en bool) string {
	n, ok := kindNames[kind]
	switch {
	case !ok:
		return kind
	case en:
		return n[1]
	}
	return n[0]
}

// Explain says in plain Chinese what the exception means and what the
// clerk should do about it. (Detail says it in English.)
func (e Exception) Explain() string {
	switch e.Kind {
	case MissingAtHost:
		return "服务站已记账，主机没有这笔：向主机查询"
	case MissingAtStation:
		return "主机有这笔，服务站已交的文件里没有：向服务站核实"
	case NoFile:
		return "该站这一天的日结文件还没到（或在等缺的一天）：催交文件"
	case UnknownStation:
		return "主机流水里有未登记的服务站"
	case AmountMismatch:
		return "双方金额不同：核对原始凭证"
	case Duplicate:
		return "主机对同一流水号处理了不止一次"
	case ReversedApproved:
		return "一方已冲正，另一方记为成功：按冲正规则处理"
	case QueuedNotConfirmed:
		return "断网受理或候补的业务还没有最终结果：跟进"
	}
	return "双方结果不一致：核对"
}

// stateNames names what a station or a host says became of a request.
var stateNames = map[string][2]string{
	"open": {"无结果", "no outcome"}, "approved": {"成功", "approved"}, "declined": {"拒绝", "declined"},
	"not_sent": {"未发出", "not sent"}, "reversal_due": {"待冲正", "reversal due"}, "reversed": {"已冲正", "reversed"},
	"queued": {"排队中", "queued"}, "waitlisted": {"候补中", "waitlisted"}, "confirmed": {"已确认", "confirmed"},
	"refused": {"被拒", "refused"}, "voided": {"已撤销", "voided"}, "pending": {"处理中", "pending"}, "none": {"无记录", "none"},
}

// StateName names a station's or a host's state of a request in Chinese
// or (en) English; "" (no record) is "-".
func StateName(state string, en bool) string {
	n, ok := stateNames[state]
	switch {
	case state == "":
		return "-"
	case !ok:
		return state
	case en:
		return n[1]
	}
	return n[0]
}
