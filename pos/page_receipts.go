package pos

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
)

// registerReceiptLookup adds GET /api/v1/receipts/{no} (auth): the stored sale whose receipt
// number is no ("lane1-000042", as printed), so the POS screen can reprint or refund a sale from
// the number on the customer's receipt. A plain number is read as the calling terminal's.
func registerReceiptLookup(srv *Server, svc *Service) {
	srv.Handle("GET /api/v1/receipts/{no}", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		no := strings.TrimSpace(r.PathValue("no"))
		if no != "" && !strings.Contains(no, "-") {
			no = term.ID + "-" + strings.Repeat("0", max(0, 6-len(no))) + no
		}
		var body []byte
		err := svc.r().QueryRowContext(r.Context(), `SELECT body FROM sales WHERE receipt_no = ?1`, no).Scan(&body)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			writeError(w, reqErr(http.StatusNotFound, "not_found", "no receipt %q", truncate(no, 40)))
		case err != nil:
			writeError(w, err)
		default:
			writeRaw(w, http.StatusOK, body)
		}
	})
}
