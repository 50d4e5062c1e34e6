package settlement

// kindEn names the kinds of entry in plain English, for the screen's
// English switch.
var kindEn = map[string]string{
	"genesis": "station opened", "operator_add": "operator added", "operator_unlock": "operator unlocked", "tariff_load": "price list loaded",
	"intent": "request sent to a bank or biller", "declined": "refused", "not_sent": "not sent (network down)",
	"reversal_due": "reversal owed", "reversal": "reversal",
	"withdrawal": "cash withdrawal", "balance_inquiry": "balance inquiry", "bill_payment": "bill payment", "topup": "phone top-up",
	"queued_confirmed": "queued payment confirmed", "refund_due": "refund owed", "refund_paid": "refund paid",
	"ticket_order": "ticket order", "ticket_issued": "waitlisted ticket issued", "ticket_failed": "waitlist failed", "ticket_cancel": "ticket cancelled",
	"policy_issue": "property insurance policy", "policy_cancel": "policy cancelled",
	"sim_stock_in": "phone cards received", "sim_return": "phone cards sent back", "sim_sale": "phone-number card sold",
	"contribution": "residents' insurance contribution", "contribution_household": "residents' insurance household receipt",
	"dispute": "dispute registered", "dispute_decided": "dispute answered", "handover": "hand-over taken over", "handover_done": "hand-over item finished",
	"sale": "sale", "void": "void", "delivery": "delivery",
	"cash_in": "cash put in", "cash_out": "cash taken out", "cash_count": "cash counted",
	"stock_in": "stock received", "stock_return": "stock sent back", "stock_count": "stock counted",
	"receipt_reprint": "receipt reprinted", "day_close": "day close", "postoffice_ack": "post office acknowledgement", "key_rotation": "seal changed",
}

// KindName names a kind of entry in plain words of lang ("en" English,
// else Chinese); an unknown kind is returned as it is.
func KindName(kind, lang string) string {
	if lang != "en" {
		return KindZh(kind)
	}
	if e, ok := kindEn[kind]; ok {
		return e
	}
	return kind
}
