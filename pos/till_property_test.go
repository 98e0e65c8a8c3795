package pos

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTill_XEqualsItsRecords runs random days of sales (cash with rounding and change, card,
// split), refunds to any method, pay-ins, pay-outs, drops and closes, and after every step checks
// that the open session's X equals what its stored sales, refunds and movements add up to.
func TestTill_XEqualsItsRecords(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			e := newTestEnv(t, withTill(TillOptions{MaxDifferenceMinor: 1 << 40}), func(o *Options) { o.CashRoundingMinor = 5 })
			codes := []string{"PASTA-500", "CAFFE-250", "VINO-ROSSO", "CREME-BRULEE", "RUISLEIPA"}
			var sales []Sale
			for step := 0; step < 120; step++ {
				switch k := rng.IntN(10); {
				case k < 6:
					lines := []LineRequest{line(codes[rng.IntN(len(codes))], int64(1+rng.IntN(3)))}
					if rng.IntN(3) == 0 {
						lines = append(lines, LineRequest{Code: "PARMIGIANO", WeightG: i64(int64(50 + rng.IntN(900)))})
					}
					code, body := e.do("POST", "/api/v1/sales/quote", tokenLane1, SaleRequest{Terminal: "lane1", Cashier: "anna", Lines: lines})
					if code != 200 {
						t.Fatalf("quote %d %s", code, body)
					}
					q := decode[Quote](t, body)
					var pays []Payment
					switch rng.IntN(3) {
					case 0:
						pays = []Payment{{Method: "cash", AmountMinor: q.CashDueMinor + int64(rng.IntN(2000))}}
					case 1:
						pays = []Payment{{Method: "card", AmountMinor: q.TotalMinor}}
					default:
						card := q.TotalMinor / 2
						pays = []Payment{{Method: "voucher", AmountMinor: card}, {Method: "cash", AmountMinor: q.TotalMinor - card + 100}}
					}
					sales = append(sales, e.sale(tokenLane1, "lane1", lines, pays))
				case k < 7 && len(sales) > 0:
					s := sales[rng.IntN(len(sales))]
					l := s.Lines[rng.IntN(len(s.Lines))]
					e.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: s.SaleID,
						Lines: []RefundLineRequest{{l.SKU, 1}}, Method: []string{"cash", "card", "other"}[rng.IntN(3)], Cashier: "anna", Terminal: "lane1"})
				case k < 9:
					if _, err := e.svc.TillX(t.Context(), Terminal{ID: "lane1"}); err != nil {
						e.openTill(tokenLane1)
					}
					e.do("POST", "/api/v1/till/movements", tokenLane1, TillMovementRequest{MovementID: newSaleID(), Cashier: "anna",
						Kind: []string{MovePayIn, MovePayOut, MoveDrop}[rng.IntN(3)], AmountMinor: int64(1 + rng.IntN(5000)), Reason: "random"})
				default:
					if x, err := e.svc.TillX(t.Context(), Terminal{ID: "lane1"}); err == nil {
						if code, body := e.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: x.SessionID, Cashier: "anna",
							Counted: []CountedTender{{Method: "cash", AmountMinor: i64(max(0, x.Tenders[0].ExpectedMinor))}}}); code != 201 {
							t.Fatalf("close %d %s", code, body)
						}
					}
				}
				if x, err := e.svc.TillX(t.Context(), Terminal{ID: "lane1"}); err == nil {
					checkXAgainstRecords(t, e, x)
				}
			}
		})
	}
}

// checkXAgainstRecords recomputes a session's figures from the stored bodies and compares.
func checkXAgainstRecords(t *testing.T, e *testEnv, x TillReport) {
	t.Helper()
	want := map[string]*TillTender{"cash": {Method: "cash"}}
	tt := func(m string) *TillTender {
		if want[m] == nil {
			want[m] = &TillTender{Method: m}
		}
		return want[m]
	}
	var n, gross, tax, rounding, rn, rgross int64
	vat := map[int64][2]int64{}
	bodies := func(q string, fn func([]byte)) {
		rows, err := e.db.R.Query(q, x.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			rows.Scan(&b)
			fn(b)
		}
	}
	bodies(`SELECT body FROM sales WHERE till_session_id = ?1`, func(b []byte) {
		var s Sale
		json.Unmarshal(b, &s)
		n, gross, tax, rounding = n+1, gross+s.TotalMinor, tax+s.TaxMinor, rounding+s.RoundingMinor
		for _, p := range s.Payments {
			tt(p.Method).SalesMinor += p.AmountMinor
		}
		tt("cash").SalesMinor -= s.ChangeMinor
		for _, v := range s.Taxes {
			a := vat[v.TaxRateBP]
			vat[v.TaxRateBP] = [2]int64{a[0] + v.GrossMinor, a[1] + v.TaxMinor}
		}
	})
	bodies(`SELECT body FROM refunds WHERE till_session_id = ?1`, func(b []byte) {
		var r Refund
		json.Unmarshal(b, &r)
		rn, rgross = rn+1, rgross+r.TotalMinor
		tt(r.Method).RefundsMinor += r.TotalMinor
		for _, v := range r.Taxes {
			a := vat[v.TaxRateBP]
			vat[v.TaxRateBP] = [2]int64{a[0] - v.GrossMinor, a[1] - v.TaxMinor}
		}
	})
	bodies(`SELECT body FROM till_movements WHERE session_id = ?1`, func(b []byte) {
		var m TillMovement
		json.Unmarshal(b, &m)
		switch m.Kind {
		case MovePayIn:
			tt("cash").PayInMinor += m.AmountMinor
		case MovePayOut:
			tt("cash").PayOutMinor += m.AmountMinor
		default:
			tt("cash").DropsMinor += m.AmountMinor
		}
	})
	if x.Sales != (TillSales{n, gross, tax, rounding}) || x.Refunds.Count != rn || x.Refunds.GrossMinor != rgross {
		t.Fatalf("X sales %+v refunds %+v; records: %d %d %d %d; %d %d", x.Sales, x.Refunds, n, gross, tax, rounding, rn, rgross)
	}
	for _, got := range x.Tenders {
		w := *tt(got.Method)
		w.ExpectedMinor = expectedOf(w, x.FloatMinor)
		got.CountedMinor, got.DifferenceMinor = nil, nil
		if got != w {
			t.Fatalf("tender %+v, records say %+v", got, w)
		}
	}
	for _, v := range x.Taxes {
		if a := vat[v.TaxRateBP]; a != [2]int64{v.GrossMinor, v.TaxMinor} {
			t.Fatalf("VAT %d: %+v, records say %v", v.TaxRateBP, v, a)
		}
	}
}
