package pos

import (
	"strings"
	"testing"
)

// TestServer_StorageFull: when the disk is full a sale answers 503 storage_full, nothing is half
// stored, and selling resumes once there is room again. The database's max_page_count stands in for
// a full disk (SQLite reports SQLITE_FULL for both).
func TestServer_StorageFull(t *testing.T) {
	e := newTestEnv(t)
	var pages int64
	if err := e.db.W.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.W.Exec(`PRAGMA max_page_count = ` + itoa(int(pages))); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot()
	var code int
	var body []byte
	// Fill the last free pages, then the disk is full.
	for i := 0; i < 200; i++ {
		big := strings.Repeat("x", 60) // cashier names make the rows larger
		req := saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1), line("PASTA-500", 2), line("RUISLEIPA", 1)}, []Payment{{Method: "card", AmountMinor: 498 + 258 + 249}})
		req.Cashier = big[:60]
		code, body = e.do("POST", "/api/v1/sales", tokenLane1, req)
		if code != 201 {
			break
		}
		before = e.snapshot()
	}
	if code != 503 || errCode(t, body) != "storage_full" {
		t.Fatalf("full disk: %d %s, want 503 storage_full", code, body)
	}
	if after := e.snapshot(); after["sales"] != before["sales"] || after["outbox"] != before["outbox"] || after["stock_sum"] != before["stock_sum"] {
		t.Errorf("a refused sale left traces: %v → %v", before, after)
	}
	if _, err := e.db.W.Exec(`PRAGMA max_page_count = 1000000`); err != nil {
		t.Fatal(err)
	}
	code, body = e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "card", AmountMinor: 498}}))
	if code != 201 {
		t.Fatalf("after space returns: %d %s", code, body)
	}
	var check string
	e.db.W.QueryRow(`PRAGMA integrity_check`).Scan(&check)
	if check != "ok" {
		t.Errorf("integrity_check %q", check)
	}
}
