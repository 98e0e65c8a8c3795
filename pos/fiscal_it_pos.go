package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/sync/db"
)

// registerOnRT queues the sale's registration on the RT in its transaction (nil without an RT;
// training sales are not registered).
func (s *Service) registerOnRT(ctx context.Context, tx dbtx, sale Sale) (*FiscalRef, error) {
	if s.opts.RT == nil || sale.Training {
		return nil, nil
	}
	return s.opts.RT.enqueue(ctx, tx, RTSale, sale.SaleID, sale.SaleID, fiscalDocOf(sale).TotalMinor)
}

// rtPendingRef is the fiscal object of a sale about to be queued for the RT (nil without one).
func (s *Service) rtPendingRef(sale Sale) *FiscalRef {
	if s.opts.RT == nil || sale.Training {
		return nil
	}
	return &FiscalRef{Status: RTPending}
}

// registerRefundOnRT queues a refund's reso (a void's annullo) on the RT. Its job comes after
// the sale's, so a refund of a sale still pending waits for the sale's RT document.
func (s *Service) registerRefundOnRT(ctx context.Context, tx dbtx, ref Refund, void *voidCheck) (*FiscalRef, error) {
	if s.opts.RT == nil {
		return nil, nil
	}
	if void != nil {
		return s.opts.RT.enqueue(ctx, tx, RTVoid, ref.RefundID, ref.SaleID, void.dueMinor)
	}
	return s.opts.RT.enqueue(ctx, tx, RTRefund, ref.RefundID, ref.SaleID, ref.TotalMinor)
}

// rtCommitted wakes the RT worker after a sale committed, asking it to open the cash drawer
// (through the RT's drawer port) once the sale is registered, when it was paid in cash and asked
// for its receipt ("print": true: the RT's documento commerciale is the receipt).
func (s *Service) rtCommitted(req SaleRequest, saleID string) {
	if s.opts.RT == nil {
		return
	}
	if string(req.Print) == "true" && hasCash(req.Payments) && !req.Training {
		s.opts.RT.kickAfter(saleID)
	}
	s.opts.RT.Wake()
}

// salePrinter is where a sale's ESC/POS receipt goes (parsePrint): with an RT (fiscal.country
// IT) the RT prints the documento commerciale, so "print": true prints nothing more, and is
// valid on a lane whose only printer is the RT; a printer named in the request still prints its
// non-fiscal copy.
func (s *Service) salePrinter(raw json.RawMessage, term Terminal) (string, error) {
	if s.opts.RT != nil && string(raw) == "true" {
		return "", nil
	}
	return parsePrint(raw, term)
}

// validLotteryCode checks a sale's lottery_code: empty, or 8 letters or digits (the code the
// customer's lotteria degli scontrini card shows).
func validLotteryCode(code string) error {
	if code == "" {
		return nil
	}
	ok := len(code) == 8
	for _, c := range []byte(code) {
		ok = ok && (c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')
	}
	if !ok {
		return unprocessable("invalid_lottery_code", "lottery_code %q is not 8 letters or digits", truncate(code, 20))
	}
	return nil
}

// voidCheck carries what a void needs from its sale.
type voidCheck struct{ dueMinor int64 }

// VoidRequest is the body of POST /api/v1/sales/{id}/void.
type VoidRequest struct {
	Cashier  string `json:"cashier"`
	Terminal string `json:"terminal,omitempty"`
}

// voidNamespace makes a sale's void id: one void per sale, so a retry finds the stored one.
var voidNamespace = uuid.MustParse("6f1d2c8e-0b7a-4c55-9a36-1e0c2f7d9b41")

// VoidSale cancels a sale of the current business day as a whole: every line goes back (a refund
// marked void, to the sale's first tender) and, with an RT, the annullo of its RT document is
// queued. A sale of another day, or one already refunded in part, is 409 (refund it instead).
func (s *Service) VoidSale(ctx context.Context, term Terminal, saleID string, req VoidRequest) ([]byte, bool, error) {
	if err := validUUID("sale_id", saleID); err != nil {
		return nil, false, err
	}
	lines, err := soldLines(ctx, s.r(), saleID)
	if err != nil {
		return nil, false, err
	}
	if len(lines) == 0 {
		return nil, false, reqErr(http.StatusNotFound, "not_found", "no sale %q", saleID)
	}
	tenders, err := saleTenders(ctx, s.r(), saleID)
	if err != nil {
		return nil, false, db.Explain(err)
	}
	if req.Terminal == "" {
		req.Terminal = term.ID
	}
	method := "cash"
	if len(tenders) > 0 {
		method = tenders[0]
	}
	rr := RefundRequest{RefundID: uuid.NewSHA1(voidNamespace, []byte(saleID)).String(), SaleID: saleID,
		Method: method, Cashier: req.Cashier, Terminal: req.Terminal}
	qty := map[string]int64{}
	var order []string
	for _, l := range lines {
		if _, ok := qty[l.SKU]; !ok {
			order = append(order, l.SKU)
		}
		qty[l.SKU] += l.Qty
	}
	for _, sku := range order {
		rr.Lines = append(rr.Lines, RefundLineRequest{SKU: sku, Qty: qty[sku]})
	}
	return s.createRefund(ctx, term, rr, &voidCheck{})
}

// checkVoid refuses the void of a sale of another business day or one already refunded.
func (s *Service) checkVoid(ctx context.Context, tx dbtx, saleID string, v *voidCheck) error {
	var completed string
	if err := tx.QueryRowContext(ctx, `SELECT completed_at, total_minor + rounding_minor FROM sales WHERE sale_id = ?1`,
		saleID).Scan(&completed, &v.dueMinor); err != nil {
		return db.Explain(err)
	}
	start, end, err := s.BusinessDay(s.Today())
	if err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339Nano, completed)
	if err != nil {
		return fmt.Errorf("sale %s completed_at: %w", saleID, err)
	}
	if at.Before(start) || !at.Before(end) {
		return reqErr(http.StatusConflict, "void_not_same_day", "sale %s is of another business day: only a sale of today can be voided; refund it instead", saleID)
	}
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM refunds WHERE sale_id = ?1`, saleID).Scan(&n); err != nil {
		return db.Explain(err)
	}
	if n > 0 {
		return reqErr(http.StatusConflict, "already_refunded", "sale %s was already refunded (in part or as a void): refund what is left instead", saleID)
	}
	return nil
}

func (s *Server) voidSale(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req VoidRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	body, created, err := s.svc.VoidSale(context.WithoutCancel(r.Context()), term, r.PathValue("id"), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, createdStatus(created), body)
}

// closeOnRT queues the RT's daily closure when the session closed in tx was the last one open.
func (s *Service) closeOnRT(ctx context.Context, tx dbtx, sessionID string) error {
	if s.opts.RT == nil {
		return nil
	}
	var open int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM till_sessions WHERE status = 'open' AND session_id <> ?1`,
		sessionID).Scan(&open); err != nil {
		return db.Explain(err)
	}
	if open > 0 {
		return nil
	}
	_, err := s.opts.RT.enqueue(ctx, tx, RTZ, sessionID, "", 0)
	return err
}

// withRTZ adds the RT's Z number to a stored Z report once the closure registered, or
// rt_z_error when the RT refused it or its outcome is unknown.
func (s *Service) withRTZ(ctx context.Context, sessionID string, body []byte) ([]byte, error) {
	if s.opts.RT == nil {
		return body, nil
	}
	var status, lastErr string
	var z sql.NullInt64
	err := s.r().QueryRowContext(ctx, `SELECT status, z_no, last_error FROM rt_jobs WHERE kind = 'z' AND doc_id = ?1`,
		sessionID).Scan(&status, &z, &lastErr)
	if errors.Is(err, sql.ErrNoRows) {
		return body, nil
	}
	if err != nil {
		return nil, db.Explain(err)
	}
	var out []byte
	switch {
	case status == RTRegistered && z.Valid:
		err = s.r().QueryRowContext(ctx, `SELECT json_set(?1, '$.rt_z_no', ?2)`, string(body), z.Int64).Scan(&out)
	case status == RTFailed:
		err = s.r().QueryRowContext(ctx, `SELECT json_set(?1, '$.rt_z_error', ?2)`, string(body), lastErr).Scan(&out)
	default:
		return body, nil
	}
	return out, db.Explain(err)
}

// rtXReport prints the RT's reading (GET /api/v1/till?rt=1).
func (s *Service) rtXReport(ctx context.Context) error {
	if s.opts.RT == nil {
		return reqErr(http.StatusNotFound, "rt_off", "this store has no RT (fiscal.country is not IT)")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.opts.RT.Printer().XReport(ctx); err != nil {
		return reqErr(http.StatusBadGateway, "rt_error", "the RT did not print its X report: %v", err)
	}
	return nil
}
