package main

import (
	"context"
	"strings"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
)

// runVoid reverses a same-day sale or queued payment, with the owner's
// approval.
func (m *Main) runVoid(ctx context.Context, args []string) error {
	fs := m.flags("void")
	var w worker
	var h hostFlag
	w.register(fs)
	h.register(fs)
	seq := fs.Uint64("entry", 0, "the entry number of the sale or queued payment")
	reason := fs.String("reason", "", "why, e.g. 顾客不要了")
	by := fs.String("by", "", "the owner approving the void (not needed when the operator is the owner)")
	byPinFile := fs.String("by-pin-file", "", "file with that owner's PIN (else STATION_BY_PIN, else asked)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *seq == 0 {
		return m.missingFlag("entry", "请用 --entry 给出要撤销的账本序号。", "give the entry to void with --entry.")
	}
	if strings.TrimSpace(*reason) == "" {
		return m.missingFlag("reason", "请用 --reason 写明撤销原因。", "say why with --reason.")
	}
	c, err := m.openCounter(ctx, w, h)
	if err != nil {
		return err
	}
	defer c.Close()
	approver, err := m.ownerApproval(c.Folder, c.Op, *by, *byPinFile)
	if err != nil {
		return err
	}
	r, err := (&terminal.Voids{Link: c.Link}).Void(c.Op.ID, approver, *seq, strings.TrimSpace(*reason))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"seq": r.Entry.Seq, "original": r.Original.Seq, "refund": money.FormatWire(r.Refund), "approved_by": approver,
			"receipt": m.printReceipt(c.Folder, r.Entry.Seq, true)})
	}
	m.printf("已撤销第 %d 笔（%s），店主 %s 批准：请退给顾客现金 %s。记在账本第 %d 笔。\n",
		"Entry %d (%s) voided, approved by owner %s: give the customer %s back in cash. Ledger entry %d.\n",
		r.Original.Seq, m.kindName(r.Original.Kind), approver, money.FormatReceipt(r.Refund), r.Entry.Seq)
	m.printReceipt(c.Folder, r.Entry.Seq, false)
	return nil
}

// ownerApproval returns the owner who approves what op is doing: op if op
// is an owner, else the owner named by, who types their PIN.
func (m *Main) ownerApproval(st *shopfront.Folder, op terminal.Operator, by, pinFile string) (string, error) {
	if op.Role == terminal.RoleOwner {
		return op.ID, nil
	}
	if by == "" {
		return "", m.usageErr("这要店主批准：请用 --by 店主编号，并由店主输入密码。", "this needs an owner's approval: give --by OWNER-ID and have the owner type their PIN.")
	}
	owner, err := m.owner(st, by, pinFile)
	return owner.ID, err
}

// owner checks the PIN of the owner named by.
func (m *Main) owner(st *shopfront.Folder, by, pinFile string) (terminal.Operator, error) {
	code, err := m.secret(pinFile, "STATION_BY_PIN", "请店主输入密码：", "owner's PIN: ", false)
	if err != nil {
		return terminal.Operator{}, err
	}
	owner, err := st.Ops.Authenticate(by, string(code))
	if err != nil {
		return terminal.Operator{}, shopfront.LockedIn(err, st.Ledger.Zone())
	}
	if owner.Role != terminal.RoleOwner {
		return terminal.Operator{}, refuse(terminal.ErrNotOwner, "%s 不是店主，不能批准；请店主来办。", "%s is not an owner and cannot approve this; ask the owner.", owner.ID)
	}
	return owner, nil
}
