package terminal

// ContributionCodeZh says in the shopkeeper's words what the
// social-insurance host's refusal code means (docs/host-protocol.md,
// "Social-insurance host"), and what to do; an unknown code is said by
// the host's own reason. The command line and the screen both use it.
func ContributionCodeZh(code, reason string) string {
	switch code {
	case "C1":
		return "这个人不在本县参保登记，请到户籍所在地缴费，或先到乡镇社保所登记"
	case "C2":
		return "这个人今年已经缴过了，不用再缴"
	case "C3":
		return "不在缴费期"
	case "C4":
		return "不符合养老保险缴费条件（未满 16 周岁，或已满 60 周岁、应领取养老金）"
	case "C5":
		return "金额或档次和社保系统不一样，本站的价目表可能过期了，请向邮政支局要新的价目表"
	case "tariff":
		return "社保系统说的应缴金额和本站价目表不一样，本站的价目表可能过期了，请向邮政支局要新的价目表"
	}
	return reason
}
