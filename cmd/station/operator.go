package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/villagepost/bianmin/internal/textwidth"

	"github.com/villagepost/bianmin/pin"
	"github.com/villagepost/bianmin/terminal"
)

func (m *Main) runOperator(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station operator add、list 或 unlock。", "say what to do: station operator add, list or unlock.")
	}
	switch args[0] {
	case "add":
		return m.operatorAdd(ctx, args[1:])
	case "list":
		return m.operatorList(args[1:])
	case "unlock":
		return m.operatorUnlock(args[1:])
	}
	return m.usageErr("操作员没有“%s”这个操作；可用 add、list、unlock。", "operator has no %q; use add, list or unlock.", args[0])
}

// operatorAdd adds an owner or clerk. The first operator must be the owner
// and needs no sign-in; every later one is added by an owner with their
// PIN. The ledger records who added whom.
func (m *Main) operatorAdd(ctx context.Context, args []string) error {
	fs := m.flags("operator add")
	dir := fs.String("dir", "", "the station's data folder")
	id := fs.String("id", "", "new operator id, e.g. OP2")
	role := fs.String("role", "", "owner or clerk")
	pinFile := fs.String("pin-file", "", "file with the new operator's 6-digit PIN (else STATION_PIN, else asked)")
	by := fs.String("by", "", "the owner adding this operator (not needed for the first)")
	byPinFile := fs.String("by-pin-file", "", "file with that owner's PIN (else STATION_BY_PIN, else asked)")
	passFile := fs.String("passphrase-file", "", "file with the key passphrase (else STATION_PASSPHRASE)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return m.missingFlag("id", "请用 --id 给出新操作员的编号，例如 --id OP2。", "give the new operator's id with --id, e.g. --id OP2.")
	}
	if *role == "" {
		return m.missingFlag("role", "请用 --role owner 或 --role clerk 说明新操作员是店主还是店员。", "give the new operator's role with --role owner or --role clerk.")
	}
	if err := terminal.CheckNew(*id, *role); err != nil {
		return err
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Ops.List()
	if err != nil {
		return err
	}
	for _, op := range list {
		if op.ID == *id {
			return fmt.Errorf("%w: %s", terminal.ErrOperatorExists, *id)
		}
	}
	hasOwner, err := st.Ops.HasOwner()
	if err != nil {
		return err
	}
	madeBy := "init"
	if !hasOwner {
		if *role != terminal.RoleOwner {
			return refuse(nil, "第一个操作员必须是店主：请用 --role owner。", "the first operator must be the owner: use --role owner.")
		}
	} else {
		if *by == "" {
			return m.missingFlag("by", "添加操作员要由店主确认：请用 --by 店主编号，例如 --by OP1。", "an owner must approve: give --by OWNER-ID, e.g. --by OP1.")
		}
		owner, err := m.owner(st, *by, *byPinFile)
		if err != nil {
			return err
		}
		madeBy = owner.ID
	}
	newPIN, err := m.secret(*pinFile, "STATION_PIN", "请新操作员设定6位密码：", "new operator's 6-digit PIN: ", true)
	if err != nil {
		return err
	}
	code := pin.Normalize(string(newPIN))
	if err := pin.Check(code); err != nil {
		return err
	}
	if err := m.unlock(st, *passFile, madeBy); err != nil {
		return err
	}
	e, err := st.AddOperator(*id, *role, code, madeBy)
	if err != nil {
		return err
	}
	m.printf("已添加操作员 %s（%s），记在账本第 %d 笔。\n", "operator %s (%s) added, ledger entry %d.\n", *id, m.roleName(*role), e.Seq)
	return nil
}

// operatorUnlock lifts every lockout of an operator, the owner's
// included, with the station key's passphrase: the owner's way back in
// that a PIN guesser does not have. The ledger records it.
func (m *Main) operatorUnlock(args []string) error {
	fs := m.flags("operator unlock")
	dir := fs.String("dir", "", "the station's data folder")
	id := fs.String("id", "", "the operator to unlock, e.g. OP1")
	passFile := fs.String("passphrase-file", "", "file with the key passphrase (else STATION_PASSPHRASE, else asked)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return m.usageErr("请用 --id 说明要解锁哪位操作员，例如 --id OP1。", "say whom to unlock with --id, e.g. --id OP1.")
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	owner, err := st.FirstOwner()
	if err != nil {
		return err
	}
	if err := m.unlock(st, *passFile, owner); err != nil {
		return err
	}
	e, err := st.UnlockOperator(*id, terminal.Console)
	if err != nil {
		return err
	}
	m.printf("已解锁操作员 %s，可以重新登录；记在账本第 %d 笔。\n", "operator %s is unlocked and may sign in again; ledger entry %d.\n", *id, e.Seq)
	return nil
}

func (m *Main) roleName(role string) string {
	if m.lang == "en" {
		return role
	}
	if role == terminal.RoleOwner {
		return "店主"
	}
	return "店员"
}

func (m *Main) operatorList(args []string) error {
	fs := m.flags("operator list")
	dir := fs.String("dir", "", "the station's data folder")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	st, err := m.openForView(context.Background(), *dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Ops.List()
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			ID       string `json:"id"`
			Role     string `json:"role"`
			AddedSeq uint64 `json:"added_seq"`
			Locked   bool   `json:"locked"`
		}
		rows := []row{}
		for _, op := range list {
			rows = append(rows, row{op.ID, op.Role, op.AddedSeq, op.IsLocked(terminal.Console, m.Now())})
		}
		return writeJSON(m.Stdout, rows)
	}
	if len(list) == 0 {
		m.printf("还没有操作员。请先添加店主：station operator add --dir %s --id OP1 --role owner\n",
			"no operators yet. Add the owner first: station operator add --dir %s --id OP1 --role owner\n", st.Dir)
		return nil
	}
	t := textwidth.Table{Right: map[int]bool{2: true}}
	t.Add(m.say("编号", "id"), m.say("岗位", "role"), m.say("账本序号", "entry"), m.say("状态", "state"))
	for _, op := range list {
		state := m.say("正常", "active")
		var le *terminal.LockedError
		if err := op.LockedAt(terminal.Console, m.Now()); errors.As(err, &le) && le.Barred {
			state = m.say("已锁定，要店主解锁", "locked until the owner unlocks")
		} else if le != nil {
			state = m.say("已锁定到 ", "locked until ") + le.Until.In(st.Ledger.Zone()).Format("15:04")
		} else if op.DayFailures > 0 {
			state = m.say(fmt.Sprintf("正常（今天输错 %d 次）", op.DayFailures), fmt.Sprintf("active (%d wrong PINs today)", op.DayFailures))
		}
		t.Add(op.ID, m.roleName(op.Role), strconv.FormatUint(op.AddedSeq, 10), state)
	}
	return t.Write(m.Stdout)
}
