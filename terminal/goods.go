package terminal

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/civildate"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/tariff"
)

// Accounts for goods held on consignment: stock is counted in units per
// SKU, owed to the post office until sold.
const (
	AccountStock         = "assets:stock"
	AccountConsignment   = "postoffice:consignment"
	AccountStockVariance = "expense:stock-variance"
	AccountCommission    = "income:commission:"
)

// MaxQuantity bounds one line of a sale or delivery of stock.
const MaxQuantity = 10000

// GoodsLedger is what goods sales need from the ledger.
type GoodsLedger interface {
	Ledger
	Get(seq uint64) (ledger.Entry, error)
	ByIdemKey(key string) (ledger.Entry, error)
	CurrentDay() string
}

// Goods sells the catalogue's items and keeps their stock.
type Goods struct {
	Ledger GoodsLedger
	Tariff *tariff.Tariff
	Today  func() time.Time // for delivery dates
}

// StockError says there are fewer units than a sale needs.
type StockError struct {
	SKU       string
	Have, Get int64
}

func (e *StockError) Error() string {
	return fmt.Sprintf("terminal: only %d of %s in stock, not %d", e.Have, e.SKU, e.Get)
}

// Stock returns the units on hand per SKU.
func (g *Goods) Stock() (map[string]int64, error) {
	b, err := g.Ledger.Balances()
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, it := range g.Tariff.Goods {
		out[it.SKU] = b[ledger.Account{Name: AccountStock, Commodity: it.SKU}].IntPart()
	}
	return out, nil
}

func (g *Goods) item(sku string) (tariff.Item, error) {
	it, ok := g.Tariff.Item(sku)
	if !ok {
		return it, &InputError{Field: "sku", Rule: fmt.Sprintf("%q is not in the catalogue of tariff %s", sku, g.Tariff.Version), RuleZh: fmt.Sprintf("价目表 %s 里没有商品 %q，请核对商品编号（station tariff show 可查看）", g.Tariff.Version, sku)}
	}
	return it, nil
}

func checkQty(q int64) error {
	if q < 1 || q > MaxQuantity {
		return &InputError{Field: "qty", Rule: fmt.Sprintf("a whole number from 1 to %d", MaxQuantity), RuleZh: fmt.Sprintf("要写 1 到 %d 之间的整数", MaxQuantity)}
	}
	return nil
}

func units(sku string, side byte, account string, q int64) ledger.Posting {
	return ledger.Posting{Account: account, Side: side, Commodity: sku, Amount: decimal.NewFromInt(q)}
}

// StockIn records units the post office delivered to the shop.
func (g *Goods) StockIn(operator, sku string, qty int64, note, idemKey string) (ledger.Entry, error) {
	if _, err := g.item(sku); err != nil {
		return ledger.Entry{}, err
	}
	if err := checkQty(qty); err != nil {
		return ledger.Entry{}, err
	}
	payload, _ := json.Marshal(map[string]any{"sku": sku, "qty": qty, "note": note, "tariff": g.Tariff.Version})
	e, _, err := g.Ledger.Append(ledger.Draft{Operator: operator, Kind: "stock_in", IdemKey: idemKey, Payload: payload,
		Postings: []ledger.Posting{units(sku, ledger.Debit, AccountStock, qty), units(sku, ledger.Credit, AccountConsignment, qty)}})
	return e, err
}

// StockReturn records units sent back to the post office (unsold, or
// damaged on arrival). The shop cannot send back more than it holds.
func (g *Goods) StockReturn(operator, sku string, qty int64, note, idemKey string) (ledger.Entry, error) {
	if _, err := g.item(sku); err != nil {
		return ledger.Entry{}, err
	}
	if err := checkQty(qty); err != nil {
		return ledger.Entry{}, err
	}
	stock, err := g.Stock()
	if err != nil {
		return ledger.Entry{}, err
	}
	if qty > stock[sku] {
		return ledger.Entry{}, &StockError{SKU: sku, Have: stock[sku], Get: qty}
	}
	payload, _ := json.Marshal(map[string]any{"sku": sku, "qty": qty, "note": note, "tariff": g.Tariff.Version})
	e, _, err := g.Ledger.Append(ledger.Draft{Operator: operator, Kind: "stock_return", IdemKey: idemKey, Payload: payload,
		Postings: []ledger.Posting{units(sku, ledger.Debit, AccountConsignment, qty), units(sku, ledger.Credit, AccountStock, qty)}})
	return e, err
}

// CountStock records a count of one SKU; a difference is booked to
// expense:stock-variance in units.
func (g *Goods) CountStock(operator, sku string, counted int64, idemKey string) (ledger.Entry, int64, error) {
	if _, err := g.item(sku); err != nil {
		return ledger.Entry{}, 0, err
	}
	if counted < 0 || counted > 1_000_000 {
		return ledger.Entry{}, 0, &InputError{Field: "counted", Rule: "a whole number, zero or more", RuleZh: "要写 0 或更大的整数"}
	}
	stock, err := g.Stock()
	if err != nil {
		return ledger.Entry{}, 0, err
	}
	variance := counted - stock[sku]
	var postings []ledger.Posting
	switch {
	case variance < 0:
		postings = []ledger.Posting{units(sku, ledger.Debit, AccountStockVariance, -variance), units(sku, ledger.Credit, AccountStock, -variance)}
	case variance > 0:
		postings = []ledger.Posting{units(sku, ledger.Debit, AccountStock, variance), units(sku, ledger.Credit, AccountStockVariance, variance)}
	}
	payload, _ := json.Marshal(map[string]any{"sku": sku, "expected": stock[sku], "counted": counted, "variance": variance})
	e, _, err := g.Ledger.Append(ledger.Draft{Operator: operator, Kind: "stock_count", IdemKey: idemKey, Payload: payload, Postings: postings})
	return e, variance, err
}

// Line is one item of a sale.
type Line struct {
	SKU string
	Qty int64
}

// Delivery is where and by when sold goods are to be taken.
type Delivery struct {
	To       string `json:"to"`       // the farmhouse or the field, as the villager says it
	Promised string `json:"promised"` // YYYY-MM-DD
}

// Sale is a villager buying catalogue items for cash.
type Sale struct {
	Operator string
	Lines    []Line
	Paid     decimal.Decimal // cash handed over; zero means exactly the total
	Delivery *Delivery
	IdemKey  string
}

// SaleResult is a recorded sale.
type SaleResult struct {
	Entry      ledger.Entry
	Total      decimal.Decimal
	Commission decimal.Decimal
	Change     decimal.Decimal
}

type saleLine struct {
	SKU    string `json:"sku"`
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Qty    int64  `json:"qty"`
	Price  string `json:"price"`
	Amount string `json:"amount"`
}

// Sell records a sale: the cash taken is owed to the post office less the
// shop's commission, and the units leave the stock. A sale that would take
// stock below zero is refused, as is delivery of an item that is not
// delivered.
func (g *Goods) Sell(s Sale) (SaleResult, error) {
	if err := inForce(g.Tariff, g.Ledger.CurrentDay()); err != nil {
		return SaleResult{}, err
	}
	if len(s.Lines) == 0 {
		return SaleResult{}, &InputError{Field: "items", Rule: "at least one item, like FERT-UREA-50KG:2", RuleZh: "至少要有一样商品，例如 --item FERT-UREA-50KG:2"}
	}
	stock, err := g.Stock()
	if err != nil {
		return SaleResult{}, err
	}
	var (
		total    decimal.Decimal
		lines    []saleLine
		postings []ledger.Posting
		want     = map[string]int64{}
		delivery bool
	)
	for _, l := range s.Lines {
		it, err := g.item(l.SKU)
		if err != nil {
			return SaleResult{}, err
		}
		if err := checkQty(l.Qty); err != nil {
			return SaleResult{}, err
		}
		want[l.SKU] += l.Qty
		if want[l.SKU] > stock[l.SKU] {
			return SaleResult{}, &StockError{SKU: l.SKU, Have: stock[l.SKU], Get: want[l.SKU]}
		}
		amount := it.Price.Mul(decimal.NewFromInt(l.Qty))
		total = total.Add(amount)
		delivery = delivery || it.Delivery
		lines = append(lines, saleLine{it.SKU, it.Name, it.Unit, l.Qty, money.FormatWire(it.Price.Decimal), money.FormatWire(amount)})
		postings = append(postings, units(l.SKU, ledger.Debit, AccountConsignment, l.Qty), units(l.SKU, ledger.Credit, AccountStock, l.Qty))
	}
	if s.Delivery != nil {
		if !delivery {
			return SaleResult{}, &InputError{Field: "deliver_to", Rule: "none of these items is delivered", RuleZh: "这些商品都不送货，请去掉送货地点"}
		}
		if err := g.checkDelivery(*s.Delivery); err != nil {
			return SaleResult{}, err
		}
		day, _ := civildate.Parse("promised", s.Delivery.Promised) // checked just above
		dl := *s.Delivery
		dl.Promised = civildate.Format(day)
		s.Delivery = &dl
	}
	change, err := changeFrom(s.Paid, total)
	if err != nil {
		return SaleResult{}, err
	}
	p, _ := g.Tariff.Pricing(tariff.Sale)
	commission := p.Commission.Apply(total)
	if commission.GreaterThan(total) {
		commission = total
	}
	postings = append(postings, ledger.Dr(AccountCash, total), ledger.Cr(AccountSettlement, total))
	if commission.IsPositive() {
		postings = append(postings, ledger.Dr(AccountSettlement, commission), ledger.Cr(AccountCommission+tariff.Sale, commission))
	}
	payload, err := json.Marshal(map[string]any{
		"tariff": g.Tariff.Version, "lines": lines, "total": money.FormatWire(total),
		"commission": money.FormatWire(commission), "paid": money.FormatWire(total.Add(change)), "change": money.FormatWire(change),
		"delivery": s.Delivery,
	})
	if err != nil {
		return SaleResult{}, err
	}
	e, _, err := g.Ledger.Append(ledger.Draft{Operator: s.Operator, Kind: "sale", IdemKey: s.IdemKey, Payload: payload, Postings: postings})
	if err != nil {
		return SaleResult{}, err
	}
	return SaleResult{Entry: e, Total: total, Commission: commission, Change: change}, nil
}

func (g *Goods) checkDelivery(d Delivery) error {
	if d.To == "" || len(d.To) > 200 {
		return &InputError{Field: "deliver_to", Rule: "say where to deliver: the farmhouse or the field", RuleZh: "请写明送到哪里：家里还是地头"}
	}
	day, err := parseDate("promised", d.Promised)
	if err != nil {
		return err
	}
	today := civildate.On(g.Today())
	if day.Before(today) {
		return &InputError{Field: "promised", Rule: fmt.Sprintf("a delivery cannot be promised before today (%s)", civildate.Format(today)),
			RuleZh: fmt.Sprintf("送货日期不能早于今天（%s）", civildate.Format(today))}
	}
	if day.After(today.AddDate(0, 0, 60)) {
		return &InputError{Field: "promised", Rule: fmt.Sprintf("between today (%s) and 60 days from now", civildate.Format(today)),
			RuleZh: fmt.Sprintf("要在今天（%s）到 60 天以内", civildate.Format(today))}
	}
	return nil
}

// CheckDelivery reports what is wrong with a delivery promised for a
// sale, as Sell would, so that a form is told before it is confirmed.
func (g *Goods) CheckDelivery(d Delivery) error { return g.checkDelivery(d) }

// parseDate reads a date typed in field with civildate, the one date
// parser of every form and flag, and names what is wrong as an
// *InputError.
func parseDate(field, s string) (time.Time, error) {
	day, err := civildate.Parse(field, s)
	var de *civildate.Error
	if errors.As(err, &de) {
		return day, &InputError{Field: de.Field, Rule: de.Rule, RuleZh: de.RuleZh}
	}
	return day, err
}

func deliveryKey(sale uint64) string { return fmt.Sprintf("delivery:%d", sale) }

// ErrNotForDelivery means an entry is not a sale awaiting delivery.
var ErrNotForDelivery = errors.New("terminal: that entry is not a sale to be delivered")

// VoidedError says a later step (a delivery, a reprint of the receipt)
// was asked of an entry that a void already took back.
type VoidedError struct {
	Step string // what was asked: StepDeliver or StepReprint
	Seq  uint64 // the voided entry
	Void uint64 // the void entry
}

// Steps that come after an entry and are refused once it is voided.
const (
	StepDeliver = "deliver"
	StepReprint = "reprint"
)

func (e *VoidedError) Error() string {
	return fmt.Sprintf("terminal: %s: entry %d was voided by entry %d", e.Step, e.Seq, e.Void)
}

// Voided reports the void entry of entry seq, if it was voided.
func Voided(l interface {
	ByIdemKey(string) (ledger.Entry, error)
}, seq uint64) (uint64, bool) {
	v, err := l.ByIdemKey(voidKey(seq))
	if err != nil {
		return 0, false
	}
	return v.Seq, true
}

// Deliver records that the goods of sale saleSeq were delivered and who
// received them. Recording it again with the same receiver changes nothing.
// A voided sale is refused with *VoidedError: its money went back to the
// villager and its goods back into stock, so nothing may leave the shop.
func (g *Goods) Deliver(operator string, saleSeq uint64, receivedBy string) (ledger.Entry, error) {
	if receivedBy == "" || len(receivedBy) > 100 {
		return ledger.Entry{}, &InputError{Field: "received_by", Rule: "the name of who received the goods", RuleZh: "请写签收人的名字"}
	}
	sale, err := g.Ledger.Get(saleSeq)
	if err != nil {
		return ledger.Entry{}, err
	}
	var p struct{ Delivery *Delivery }
	if sale.Kind != "sale" || json.Unmarshal(sale.Payload, &p) != nil || p.Delivery == nil {
		return ledger.Entry{}, fmt.Errorf("%w: entry %d", ErrNotForDelivery, saleSeq)
	}
	if void, ok := Voided(g.Ledger, saleSeq); ok {
		return ledger.Entry{}, &VoidedError{Step: StepDeliver, Seq: saleSeq, Void: void}
	}
	payload, _ := json.Marshal(map[string]any{"sale": saleSeq, "to": p.Delivery.To, "received_by": receivedBy})
	e, _, err := g.Ledger.Append(ledger.Draft{Operator: operator, Kind: "delivery", IdemKey: deliveryKey(saleSeq), Payload: payload})
	return e, err
}
