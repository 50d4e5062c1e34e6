package main

import (
	"context"
	"fmt"
	"github.com/villagepost/bianmin/internal/textwidth"
	"strconv"

	"github.com/villagepost/bianmin/pin"
	"github.com/villagepost/bianmin/terminal"
)

func (m *Main) runOperator(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return m.usageErr("请说明要做什么：station operator add 或 list。", "say what to do: station operator add or list.")
	}
	switch args[0] {
	case "add":
		return m.operatorAdd(ctx, args[1:])
	case "list":
		return m.operatorList(args[1:])
	}
	return m.usageErr("操作员没有“%s”这个操作；可用 add、list。", "operator has no %q; use add or list.", args[0])
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
	if *id == "" || *role == "" {
		return m.usageErr("请用 --id 和 --role owner|clerk 说明新操作员。", "give the new operator with --id and --role owner|clerk.")
	}
	if err := terminal.CheckNew(*id, *role); err != nil {
		return err
	}
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.ops.List()
	if err != nil {
		return err
	}
	for _, op := range list {
		if op.ID == *id {
			return fmt.Errorf("%w: %s", terminal.ErrOperatorExists, *id)
		}
	}
	hasOwner, err := st.ops.HasOwner()
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
			return m.usageErr("添加操作员要由店主确认：请用 --by 店主编号。", "an owner must approve: give --by OWNER-ID.")
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
	e, err := st.addOperator(*id, *role, code, madeBy)
	if err != nil {
		return err
	}
	m.printf("已添加操作员 %s（%s），记在账本第 %d 笔。\n", "operator %s (%s) added, ledger entry %d.\n", *id, m.roleName(*role), e.Seq)
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
	st, err := m.openStation(*dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.ops.List()
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
			rows = append(rows, row{op.ID, op.Role, op.AddedSeq, m.Now().Before(op.Locked)})
		}
		return writeJSON(m.Stdout, rows)
	}
	if len(list) == 0 {
		m.printf("还没有操作员。请先添加店主：station operator add --dir %s --id OP1 --role owner\n",
			"no operators yet. Add the owner first: station operator add --dir %s --id OP1 --role owner\n", st.dir)
		return nil
	}
	t := textwidth.Table{Right: map[int]bool{2: true}}
	t.Add(m.say("编号", "id"), m.say("岗位", "role"), m.say("账本序号", "entry"), m.say("状态", "state"))
	for _, op := range list {
		state := m.say("正常", "active")
		if m.Now().Before(op.Locked) {
			state = m.say("已锁定到 ", "locked until ") + op.Locked.In(st.ledger.Zone()).Format("15:04")
		}
		t.Add(op.ID, m.roleName(op.Role), strconv.FormatUint(op.AddedSeq, 10), state)
	}
	return t.Write(m.Stdout)
}
