package pos

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// maxQRData bounds the scanned text GET /api/v1/receipts/qr reads (a receipt link is ~80 bytes).
const maxQRData = 512

// registerReceiptQR adds GET /api/v1/receipts/qr?data=… (auth): the stored sale whose receipt QR
// code (links.receipt with the sale's id in place of "{sale_id}") is data, so a cashier can scan
// the customer's receipt to reprint or refund it. 422 not_receipt when data is not this store's
// receipt link (a product's QR, another chain's, garbage), 404 not_found when it is but no sale of
// this store has that id (another store's receipt, or a sale never made here).
func registerReceiptQR(srv *Server, q *PrintQueue) {
	srv.Handle("GET /api/v1/receipts/qr", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		id, err := receiptQRSaleID(q.opts.ReceiptURL, r.URL.Query().Get("data"))
		if err != nil {
			writeError(w, err)
			return
		}
		var body []byte
		err = q.db.R.QueryRowContext(r.Context(), `SELECT body FROM sales WHERE sale_id = ?1`, id).Scan(&body)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			writeError(w, reqErr(http.StatusNotFound, "not_found", "no sale %s in this store: the receipt is another store's or was not made here", id))
		case err != nil:
			writeError(w, err)
		default:
			writeRaw(w, http.StatusOK, body)
		}
	})
}

// receiptQRSaleID returns the sale id in data when data is the receipt link template filled in.
// The scheme and host compare without case (scanners and phones may change it); the sale id
// must be a UUID (as stored: the sale is looked up by it as printed).
func receiptQRSaleID(template, data string) (string, error) {
	data = strings.TrimSpace(data)
	notReceipt := unprocessable("not_receipt", "the scanned code is not a receipt of this store (links.receipt)")
	if len(data) > maxQRData {
		return "", notReceipt
	}
	prefix, suffix, ok := strings.Cut(template, "{sale_id}")
	if template == "" || !ok || len(data) < len(prefix)+len(suffix) ||
		!strings.EqualFold(data[:len(prefix)], prefix) || data[len(data)-len(suffix):] != suffix {
		return "", notReceipt
	}
	id := data[len(prefix) : len(data)-len(suffix)]
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return "", notReceipt
	}
	return id, nil
}
