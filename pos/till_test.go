package pos

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var euro = []int64{50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1}

func withTill(t TillOptions) func(*Options) {
	return func(o *Options) {
		if t.Denominations == nil {
			t.Denominations = euro
		}
		o.Till = t
	}
}

// openTill opens a session on lane1 with a float of 2×50 € notes + 10×1 € coins (110.00 €).
func (e *testEnv) openTill(token string) TillReport {
	e.t.Helper()
	code, body := e.do("POST", "/api/v1/till/open", token, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna",
		Float: []Denomination{{5000, 2}, {100, 10}}})
	if code != http.StatusCreated {
		e.t.Fatalf("open: %d %s", code, body)
	}
	return decode[TillReport](e.t, body)
}

func (e *testEnv) sale(token, terminal string, lines []LineRequest, pays []Payment) Sale {
	e.t.Helper()
	req := saleBody(newSaleID(), lines, pays)
	req.Terminal = terminal
	code, body := e.do("POST", "/api/v1/sales", token, req)
	if code != http.StatusCreated {
		e.t.Fatalf("sale: %d %s", code, body)
	}
	return decode[Sale](e.t, body)
}

func tender(t *testing.T, r TillReport, method string) TillTender {
	t.Helper()
	for _, x := range r.Tenders {
		if x.Method == method {
			return x
		}
	}
	t.Fatalf("no %s tender in %+v", method, r.Tenders)
	return TillTender{}
}

func TestServer_Till_DayOfALane(t *testing.T) {
	e := newTestEnv(t, withTill(TillOptions{MaxDifferenceMinor: 500}), func(o *Options) { o.CashRoundingMinor = 5 })
	open := e.openTill(tokenLane1)
	if open.FloatMinor != 11000 || open.ZNo != 1 || open.Status != "open" || open.Implicit {
		t.Fatalf("opened %+v", open)
	}
	// Cash with rounding: 2 × caffè 9.96 + pasta 1.29 = 11.25 → cash 11.25 (step 5: stays), paid 20 → change 8.75.
	s1 := e.sale(tokenLane1, "lane1", []LineRequest{line("CAFFE-250", 2), line("PASTA-500", 1)}, []Payment{{Method: "cash", AmountMinor: 2000}})
	// Cash rounding: 4.98 + 1.29 = 6.27 → 6.25 in cash (rounding −2), paid 10 → change 3.75.
	s2 := e.sale(tokenLane1, "lane1", []LineRequest{line("CAFFE-250", 1), line("PASTA-500", 1)}, []Payment{{Method: "cash", AmountMinor: 1000}})
	// Card 3.00 + cash for the rest of 12.90: 9.90 cash, given 10 → change 0.10.
	s3 := e.sale(tokenLane1, "lane1", []LineRequest{line("VINO-ROSSO", 1)}, []Payment{{Method: "card", AmountMinor: 300}, {Method: "cash", AmountMinor: 1000}})
	for _, s := range []Sale{s1, s2, s3} {
		if s.TillSessionID != open.SessionID {
			t.Fatalf("sale %s in session %q, want %s", s.SaleID, s.TillSessionID, open.SessionID)
		}
	}
	if s2.RoundingMinor != -2 || s2.ChangeMinor != 375 {
		t.Fatalf("s2 rounding %d change %d", s2.RoundingMinor, s2.ChangeMinor)
	}
	// A cash refund of one caffè of s1.
	code, body := e.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: s1.SaleID,
		Lines: []RefundLineRequest{{"CAFFE-250", 1}}, Method: "cash", Cashier: "anna", Terminal: "lane1"})
	if code != 201 {
		t.Fatalf("refund: %d %s", code, body)
	}
	ref := decode[Refund](t, body)
	if ref.TillSessionID != open.SessionID {
		t.Fatalf("refund in session %q", ref.TillSessionID)
	}
	for _, m := range []TillMovementRequest{
		{MovementID: newSaleID(), Cashier: "anna", Kind: MovePayIn, AmountMinor: 2000, Reason: "change from the safe"},
		{MovementID: newSaleID(), Cashier: "anna", Kind: MovePayOut, AmountMinor: 350, Reason: "window cleaner"},
		{MovementID: newSaleID(), Cashier: "anna", Kind: MoveDrop, AmountMinor: 5000, Reason: "safe drop"},
	} {
		if code, body := e.do("POST", "/api/v1/till/movements", tokenLane1, m); code != 201 {
			t.Fatalf("movement %s: %d %s", m.Kind, code, body)
		}
	}
	code, body = e.do("GET", "/api/v1/till", tokenLane1, nil)
	if code != 200 {
		t.Fatalf("X: %d %s", code, body)
	}
	x := decode[TillReport](t, body)
	cashTaken := (2000 - s1.ChangeMinor) + (1000 - s2.ChangeMinor) + (1000 - s3.ChangeMinor)
	wantCash := int64(11000) + cashTaken - ref.TotalMinor + 2000 - 350 - 5000
	cash := tender(t, x, "cash")
	if cash.ExpectedMinor != wantCash || cash.SalesMinor != cashTaken || cash.RefundsMinor != ref.TotalMinor || cash.CountedMinor != nil {
		t.Errorf("X cash %+v, want expected %d taken %d", cash, wantCash, cashTaken)
	}
	if card := tender(t, x, "card"); card.ExpectedMinor != 300 {
		t.Errorf("X card %+v", card)
	}
	if x.Sales.Count != 3 || x.Sales.GrossMinor != s1.TotalMinor+s2.TotalMinor+s3.TotalMinor || x.Sales.RoundingMinor != -2 ||
		x.Sales.TaxMinor != s1.TaxMinor+s2.TaxMinor+s3.TaxMinor || x.Refunds.Count != 1 || x.Refunds.GrossMinor != ref.TotalMinor {
		t.Errorf("X sales %+v refunds %+v", x.Sales, x.Refunds)
	}
	// Every tender adds up to what customers paid: gross + rounding − refunds.
	var sum int64
	for _, tt := range x.Tenders {
		sum += tt.SalesMinor - tt.RefundsMinor
	}
	if sum != x.Sales.GrossMinor+x.Sales.RoundingMinor-x.Refunds.GrossMinor {
		t.Errorf("tenders sum %d ≠ gross %d + rounding %d − refunds %d", sum, x.Sales.GrossMinor, x.Sales.RoundingMinor, x.Refunds.GrossMinor)
	}
	var vatGross, vatTax int64
	for _, tl := range x.Taxes {
		vatGross += tl.GrossMinor
		vatTax += tl.TaxMinor
	}
	if vatGross != x.Sales.GrossMinor-x.Refunds.GrossMinor || vatTax != x.Sales.TaxMinor-x.Refunds.TaxMinor {
		t.Errorf("VAT net %d/%d, want %d/%d", vatGross, vatTax, x.Sales.GrossMinor-x.Refunds.GrossMinor, x.Sales.TaxMinor-x.Refunds.TaxMinor)
	}
	// Reading X changed nothing.
	if _, again := e.do("GET", "/api/v1/till", tokenLane1, nil); stripReported(again) != stripReported(body) {
		t.Errorf("a second X differs:\n%s\n%s", body, again)
	}

	// Close 7.00 short without a reason: refused; with one: the Z.
	short := wantCash - 700
	closeReq := TillCloseRequest{SessionID: open.SessionID, Cashier: "marco",
		Counted: []CountedTender{{Method: "cash", AmountMinor: &short}, {Method: "card", AmountMinor: i64(300)}}}
	code, body = e.do("POST", "/api/v1/till/close", tokenLane1, closeReq)
	if code != 422 || errCode(t, body) != "reason_required" {
		t.Fatalf("close without reason: %d %s", code, body)
	}
	closeReq.Reason = "a 5 € note and a 2 € coin missing"
	code, body = e.do("POST", "/api/v1/till/close", tokenLane1, closeReq)
	if code != 201 {
		t.Fatalf("close: %d %s", code, body)
	}
	z := decode[TillReport](t, body)
	zc := tender(t, z, "cash")
	if z.Status != "closed" || z.ClosedBy == nil || *z.ClosedBy != "marco" || zc.ExpectedMinor != wantCash ||
		*zc.CountedMinor != short || *zc.DifferenceMinor != -700 || z.Reason != closeReq.Reason {
		t.Errorf("Z %+v cash %+v", z, zc)
	}
	if d := tender(t, z, "card").DifferenceMinor; d == nil || *d != 0 {
		t.Errorf("Z card difference %v", d)
	}
	// The same close again: the stored Z, byte for byte; another count: 409.
	code, again := e.do("POST", "/api/v1/till/close", tokenLane1, closeReq)
	if code != 200 || !bytes.Equal(again, body) {
		t.Errorf("second close: %d\n%s\nwant\n%s", code, again, body)
	}
	closeReq.Reason = "recounted"
	if code, body := e.do("POST", "/api/v1/till/close", tokenLane1, closeReq); code != 409 {
		t.Errorf("close with another body: %d %s", code, body)
	}
	if code, got := e.do("GET", "/api/v1/till/sessions/"+open.SessionID, tokenLane1, nil); code != 200 || !bytes.Equal(got, body) {
		t.Errorf("stored Z: %d %s", code, got)
	}
	if code, _ := e.do("GET", "/api/v1/till", tokenLane1, nil); code != 404 {
		t.Errorf("X after close: %d, want 404", code)
	}
	// Outbox: opened, three movements, closed on topic till; every sale event names the session.
	for typ, want := range map[string]int64{TypeTillOpened: 1, TypeTillMovement: 3, TypeTillClosed: 1} {
		if n := e.count(`SELECT count(*) FROM outbox WHERE topic = 'till' AND type = ?1`, typ); n != want {
			t.Errorf("%s events %d, want %d", typ, n, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE topic = 'sales' AND json_extract(payload, '$.data.till_session_id') = ?1`, open.SessionID); n != 4 {
		t.Errorf("sales events naming the session: %d, want 4", n)
	}

	// The next sale opens an implicit session with the next Z number.
	s4 := e.sale(tokenLane1, "lane1", []LineRequest{line("PASTA-500", 1)}, []Payment{{Method: "card", AmountMinor: 129}})
	code, body = e.do("GET", "/api/v1/till", tokenLane1, nil)
	x2 := decode[TillReport](t, body)
	if code != 200 || s4.TillSessionID == open.SessionID || x2.SessionID != s4.TillSessionID || !x2.Implicit || x2.ZNo != 2 || x2.FloatMinor != 0 {
		t.Errorf("after close: sale in %q, X %d %+v", s4.TillSessionID, code, x2)
	}
}

// stripReported drops the reported_at stamp, which differs between two readings.
func stripReported(b []byte) string {
	return reportedAtRe.ReplaceAllString(string(b), "")
}

var reportedAtRe = regexp.MustCompile(`"reported_at":"[^"]*"`)

func TestServer_Till_RequireOpen(t *testing.T) {
	e := newTestEnv(t, withTill(TillOptions{RequireOpen: true, MaxDifferenceMinor: 500}))
	before := e.snapshot()
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("PASTA-500", 1)}, []Payment{{Method: "cash", AmountMinor: 200}}))
	if code != 409 || errCode(t, body) != "till_not_open" {
		t.Fatalf("sale without a session: %d %s", code, body)
	}
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused sale stored something: %v → %v", before, after)
	}
	open := e.openTill(tokenLane1)
	code, body = e.do("POST", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna", FloatMinor: i64(0)})
	if code != 409 || errCode(t, body) != "till_open" {
		t.Errorf("second open: %d %s", code, body)
	}
	// The same open again answers the session (200); lane2 opens its own with Z 1.
	code, body = e.do("POST", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: open.SessionID, Cashier: "anna",
		Float: []Denomination{{5000, 2}, {100, 10}}})
	if code != 200 || decode[TillReport](t, body).SessionID != open.SessionID {
		t.Errorf("repeated open: %d %s", code, body)
	}
	if l2 := e.openTill(tokenLane2); l2.ZNo != 1 || l2.Terminal != "lane2" {
		t.Errorf("lane2 session %+v", l2)
	}
	s := e.sale(tokenLane1, "lane1", []LineRequest{line("PASTA-500", 1)}, []Payment{{Method: "cash", AmountMinor: 200}})
	if s.TillSessionID != open.SessionID {
		t.Errorf("sale in %q", s.TillSessionID)
	}
	// Once the till is closed, a refund is refused too, and nothing of it is stored.
	if code, body := e.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna",
		Counted: []CountedTender{{Method: "cash", AmountMinor: i64(11129)}}}); code != 201 {
		t.Fatalf("close: %d %s", code, body)
	}
	before = e.snapshot()
	code, body = e.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: s.SaleID,
		Lines: []RefundLineRequest{{"PASTA-500", 1}}, Method: "cash", Cashier: "anna", Terminal: "lane1"})
	if code != 409 || errCode(t, body) != "till_not_open" {
		t.Errorf("refund on a closed till: %d %s", code, body)
	}
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused refund stored something: %v → %v", before, after)
	}
}

func TestServer_Till_BadInput(t *testing.T) {
	e := newTestEnv(t, withTill(TillOptions{MaxDifferenceMinor: 500}))
	code, body := e.do("POST", "/api/v1/till/movements", tokenLane1, TillMovementRequest{MovementID: newSaleID(), Cashier: "anna", Kind: MovePayIn, AmountMinor: 100, Reason: "x"})
	if code != 409 || errCode(t, body) != "till_not_open" {
		t.Errorf("movement without a session: %d %s", code, body)
	}
	open := e.openTill(tokenLane1)
	l2 := e.openTill(tokenLane2)
	cases := []struct {
		name, path, token string
		body              any
		status            int
		field             string
	}{
		{"zero movement", "/api/v1/till/movements", tokenLane1, TillMovementRequest{MovementID: newSaleID(), Cashier: "anna", Kind: MovePayIn, AmountMinor: 0, Reason: "x"}, 422, "amount_minor"},
		{"negative movement", "/api/v1/till/movements", tokenLane1, TillMovementRequest{MovementID: newSaleID(), Cashier: "anna", Kind: MovePayOut, AmountMinor: -500, Reason: "x"}, 422, "amount_minor"},
		{"unknown kind", "/api/v1/till/movements", tokenLane1, TillMovementRequest{MovementID: newSaleID(), Cashier: "anna", Kind: "steal", AmountMinor: 5, Reason: "x"}, 422, "kind"},
		{"movement without reason", "/api/v1/till/movements", tokenLane1, TillMovementRequest{MovementID: newSaleID(), Cashier: "anna", Kind: MoveDrop, AmountMinor: 5}, 400, "reason"},
		{"float not a denomination", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna", Float: []Denomination{{300, 1}}}, 422, "float[0].value_minor"},
		{"float and float_minor", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna", Float: []Denomination{{100, 1}}, FloatMinor: i64(100)}, 400, "float_minor"},
		{"no float", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna"}, 400, "float"},
		{"negative float", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna", FloatMinor: i64(-1)}, 422, "float_minor"},
		{"close without session_id", "/api/v1/till/close", tokenLane1, TillCloseRequest{Cashier: "anna", Counted: []CountedTender{{Method: "cash", AmountMinor: i64(0)}}}, 400, "session_id"},
		{"close another terminal's session", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: l2.SessionID, Cashier: "anna", Counted: []CountedTender{{Method: "cash", AmountMinor: i64(0)}}}, 403, "session_id"},
		{"close an unknown session", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: newSaleID(), Cashier: "anna", Counted: []CountedTender{{Method: "cash", AmountMinor: i64(0)}}}, 404, "session_id"},
		{"counted unknown method", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna", Counted: []CountedTender{{Method: "bitcoin", AmountMinor: i64(0)}}}, 422, "counted[0].method"},
		{"counted twice", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna", Counted: []CountedTender{{Method: "cash", AmountMinor: i64(0)}, {Method: "cash", AmountMinor: i64(0)}}}, 422, "counted[1].method"},
		{"count not a denomination", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna", Counted: []CountedTender{{Method: "cash", Denominations: []Denomination{{5000, 1}, {7, 3}}}}}, 422, "counted[0].denominations[1].value_minor"},
		{"negative count", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna", Counted: []CountedTender{{Method: "cash", Denominations: []Denomination{{5000, -1}}}}}, 422, "counted[0].denominations[0].count"},
		{"cash not counted", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna", Counted: []CountedTender{{Method: "card", AmountMinor: i64(0)}}}, 422, "counted"},
		{"card by denomination", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna", Counted: []CountedTender{{Method: "card", Denominations: []Denomination{{100, 1}}}}}, 422, "counted[0].denominations"},
		{"not JSON", "/api/v1/till/close", tokenLane1, "{", 400, ""},
		{"no token", "/api/v1/till/close", "", TillCloseRequest{SessionID: open.SessionID}, 401, ""},
	}
	before := e.snapshot()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := e.do("POST", c.path, c.token, c.body)
			if code != c.status {
				t.Fatalf("%d %s, want %d", code, body, c.status)
			}
			if msg := decode[errorBody](t, body).Error.Message; !strings.Contains(msg, c.field) {
				t.Errorf("message %q does not name %q", msg, c.field)
			}
		})
	}
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused requests stored something: %v → %v", before, after)
	}
	// The session is still open and unchanged.
	if x, err := e.svc.TillX(t.Context(), Terminal{ID: "lane1"}); err != nil || x.Status != "open" || x.FloatMinor != 11000 {
		t.Errorf("X after bad input: %+v %v", x, err)
	}
}

func TestTill_ClosedSessionNeverChanges(t *testing.T) {
	e := newTestEnv(t, withTill(TillOptions{MaxDifferenceMinor: 500}))
	open := e.openTill(tokenLane1)
	e.sale(tokenLane1, "lane1", []LineRequest{line("PASTA-500", 1)}, []Payment{{Method: "cash", AmountMinor: 129}})
	code, body := e.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna",
		Counted: []CountedTender{{Method: "cash", Denominations: []Denomination{{5000, 2}, {100, 11}, {20, 1}, {5, 1}, {2, 2}}}}})
	if code != 201 {
		t.Fatalf("close: %d %s", code, body)
	}
	z := decode[TillReport](t, body)
	if c := tender(t, z, "cash"); *c.CountedMinor != 11129 || *c.DifferenceMinor != 0 || len(z.CashCounted) != 5 {
		t.Errorf("Z cash %+v counted %v", c, z.CashCounted)
	}
	for _, q := range []string{
		`UPDATE till_sessions SET sales_count = 99 WHERE session_id = '` + open.SessionID + `'`,
		`DELETE FROM till_sessions WHERE session_id = '` + open.SessionID + `'`,
		`UPDATE till_tenders SET sales_minor = 0 WHERE session_id = '` + open.SessionID + `'`,
		`INSERT INTO till_taxes (session_id, tax_rate_bp) VALUES ('` + open.SessionID + `', 2200)`,
		`INSERT INTO till_movements (movement_id, session_id, kind, amount_minor, reason, cashier, created_at, request_hash, body)
			VALUES ('m', '` + open.SessionID + `', 'drop', 1, 'r', 'c', 't', 'h', '{}')`,
		`INSERT INTO sales (sale_id, terminal, cashier, receipt_no, request_hash, currency, total_minor, rounding_minor,
			tax_minor, change_minor, completed_at, body, till_session_id)
			VALUES ('s', 'lane1', 'c', 'r', 'h', 'EUR', 1, 0, 0, 0, 't', '{}', '` + open.SessionID + `')`,
	} {
		if _, err := e.db.W.Exec(q); err == nil || !strings.Contains(err.Error(), "till session") {
			t.Errorf("%.60s…: %v, want refused", q, err)
		}
	}
}
