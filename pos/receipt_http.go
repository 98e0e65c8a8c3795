package pos

import (
	"context"
	"database/sql"
	"net/http"
)

// RegisterPrintRoutes adds the receipt routes to srv:
//
//	POST /api/v1/sales/{id}/print     body {"printer"?} → 202 {"job_id"}
//	GET  /api/v1/sales/{id}/receipt.png
//	GET  /api/v1/receipts/qr?data=…     the sale of a scanned receipt QR code
func RegisterPrintRoutes(srv *Server, q *PrintQueue) {
	srv.Handle("POST /api/v1/sales/{id}/print", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		q.handlePrint(w, r, term)
	})
	srv.Handle("GET /api/v1/sales/{id}/receipt.png", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		q.handlePNG(w, r, term)
	})
	registerTillPrintRoutes(srv, q)
	registerReceiptQR(srv, q)
}

// printRequest is the body of POST /api/v1/sales/{id}/print.
type printRequest struct {
	Printer string `json:"printer"`
}

func (q *PrintQueue) handlePrint(w http.ResponseWriter, r *http.Request, term Terminal) {
	printer, err := printerOf(w, r, term)
	if err != nil {
		writeError(w, err)
		return
	}
	job, err := q.PrintSale(r.Context(), r.PathValue("id"), printer)
	writeJob(w, job, err)
}

// PrintSale queues a print of the stored sale saleID on printer and returns the job id. The first
// print of a cash sale kicks the drawer; a later print is a COPY without a kick. It answers a 404
// RequestError for an unknown sale and a 422 for an unknown printer.
func (q *PrintQueue) PrintSale(ctx context.Context, saleID, printer string) (string, error) {
	s, err := q.storedSale(ctx, saleID)
	if err != nil {
		return "", err
	}
	if !q.drv.Has(printer) {
		return "", unprocessable("unknown_printer", "printer %q is not configured", truncate(printer, 40))
	}
	var job string
	err = q.db.Group.Do(ctx, func(tx *sql.Tx) error {
		var err error
		job, err = q.Enqueue(ctx, tx, s.SaleID, printer, hasCash(s.Payments))
		return err
	})
	if err != nil {
		return "", err
	}
	q.Wake()
	return job, nil
}

func (q *PrintQueue) handlePNG(w http.ResponseWriter, r *http.Request, term Terminal) {
	doc, err := q.ReceiptDocument(r.Context(), r.PathValue("id"), false, false)
	if err != nil {
		writeError(w, err)
		return
	}
	q.writePNG(w, term, doc, "receipt")
}
