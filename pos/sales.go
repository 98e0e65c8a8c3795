package pos

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// SaleResult is a sale and whether this call created it (201) or found it stored (200).
type SaleResult struct {
	Body    []byte
	Created bool
	SaleID  string
}

// requestHash identifies a request body for idempotency: the same id with a different hash is a
// conflict. Fields that are instructions rather than content (print) are left out, so a retry that
// also asks to print is still the same sale.
func requestHash(v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// parsePrint reads the sale's print field: absent/false = no, true = the terminal's printer, a
// string = that printer.
func parsePrint(raw json.RawMessage, term Terminal) (string, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "false" {
		return "", nil
	}
	if string(raw) == "true" {
		if term.Printer == "" {
			return "", unprocessable("no_printer", "terminal %s has no printer configured", term.ID)
		}
		return term.Printer, nil
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil || name == "" {
		return "", badRequest("print: want true, false or a printer name")
	}
	return name, checkPrinter(term, name)
}

// CreateSale stores a sale, its stock movements and their outbox events in one durable transaction.
// The same sale_id again returns the stored sale (Created false); with a different body, 409.
func (s *Service) CreateSale(ctx context.Context, term Terminal, req SaleRequest) (SaleResult, error) {
	if err := validUUID("sale_id", req.SaleID); err != nil {
		return SaleResult{}, err
	}
	if err := checkTerminal(term.ID, req.Terminal); err != nil {
		return SaleResult{}, err
	}
	if err := validID("cashier", req.Cashier); err != nil {
		return SaleResult{}, err
	}
	if len(req.Payments) > 20 {
		return SaleResult{}, unprocessable("invalid_payment", "a sale has at most 20 payments")
	}
	if len(req.CustomerID) > maxIDLen || len(req.ReservationID) > maxIDLen {
		return SaleResult{}, badRequest("customer_id and reservation_id are at most %d characters", maxIDLen)
	}
	printer, err := s.salePrinter(req.Print, term)
	if err != nil {
		return SaleResult{}, err
	}
	if err := validLotteryCode(req.LotteryCode); err != nil {
		return SaleResult{}, err
	}
	hashed := req
	hashed.Print = nil
	hash := requestHash(hashed)
	if err := s.checkScaleForSale(ctx, term.ID, req); err != nil {
		return SaleResult{}, err
	}
	tier, custWarnings := s.customerWarnings(ctx, req.CustomerID)

	var res SaleResult
	err = s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		if body, ok, err := storedBody(ctx, tx, `SELECT request_hash, body FROM sales WHERE sale_id = ?1`, req.SaleID, hash); ok || err != nil {
			res = SaleResult{Body: body, SaleID: req.SaleID}
			return err
		}
		if err := s.drawerHold(term.ID); err != nil {
			return err
		}
		sale, err := s.buildSale(ctx, tx, term, req, tier)
		if err != nil {
			return err
		}
		// The session is looked up (or opened) in the sale's own transaction, after the writer
		// serialised it against any close: a sale is in the session that was open when it
		// committed, and never in a closed one.
		if sale.TillSessionID, err = s.tillSessionFor(ctx, rawTx, term.ID, req.Cashier); err != nil {
			return err
		}
		sale.Warnings = append(sale.Warnings, custWarnings...)
		sale.Fiscal = s.rtPendingRef(sale) // so retail.sale.completed says the RT registration is pending
		if err := s.claimCardPayments(ctx, tx, term.ID, sale.SaleID, "payment", sale.Payments); err != nil {
			return err
		}
		if err := s.storeSale(ctx, tx, &sale, hash); err != nil {
			return err
		}
		if sale.Fiscal, err = s.journal(ctx, rawTx, JournalSale, sale.Training, sale); err != nil {
			return err
		}
		if sale.Fiscal == nil {
			if sale.Fiscal, err = s.registerOnRT(ctx, tx, sale); err != nil {
				return err
			}
		}
		if printer != "" {
			if s.opts.Printing == nil {
				sale.Warnings = append(sale.Warnings, Warning{Code: "printing_unavailable", Message: "no printer driver is running: the receipt was not printed"})
			} else {
				// The job commits with the sale, so a crash after the 201 cannot lose the receipt.
				job, err := s.opts.Printing.Enqueue(ctx, rawTx, sale.SaleID, printer, hasCash(sale.Payments))
				if err != nil {
					return err
				}
				sale.Print = &PrintRef{JobID: job, Printer: printer}
			}
		}
		body, err := json.Marshal(sale)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sales SET body = ?2 WHERE sale_id = ?1`, sale.SaleID, string(body)); err != nil {
			return err
		}
		res = SaleResult{Body: body, Created: true, SaleID: sale.SaleID}
		return nil
	})
	if err != nil {
		return SaleResult{}, db.Explain(err)
	}
	if res.Created && s.opts.Printing != nil && printer != "" {
		s.opts.Printing.Wake()
	}
	if res.Created {
		s.rtCommitted(req, res.SaleID)
	}
	s.committed(res.Created)
	s.tapSale(term.ID, res)
	return res, nil
}

// storedBody returns the stored body for an id when the hash matches, errConflict when it does not,
// and ok false when nothing is stored.
func storedBody(ctx context.Context, q querier, query, id, hash string) ([]byte, bool, error) {
	var storedHash string
	var body []byte
	err := q.QueryRowContext(ctx, query, id).Scan(&storedHash, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, db.Explain(err)
	}
	if storedHash != hash {
		return nil, true, errConflict
	}
	return body, true, nil
}

func hasCash(ps []Payment) bool {
	for _, p := range ps {
		if p.Method == "cash" {
			return true
		}
	}
	return false
}

// buildSale prices the request and settles its payments inside the writer transaction.
func (s *Service) buildSale(ctx context.Context, tx dbtx, term Terminal, req SaleRequest, tier string) (Sale, error) {
	var resv reservationPrices
	if req.ReservationID != "" {
		r, err := loadReservationPrices(ctx, tx, req.ReservationID)
		if err != nil {
			return Sale{}, err
		}
		resv = r
	}
	p, err := s.priceLines(ctx, tx, req.Lines, resv, tier)
	if err != nil {
		return Sale{}, err
	}
	st, err := Settle(p.total, req.Payments, s.opts.CashRoundingMinor)
	if err != nil {
		return Sale{}, err
	}
	payments := req.Payments
	if payments == nil {
		payments = []Payment{}
	}
	return Sale{
		SaleID: req.SaleID, Status: "completed", Terminal: term.ID, Cashier: req.Cashier,
		CompletedAt: s.now().Format(time.RFC3339Nano), Currency: s.opts.Currency,
		TotalMinor: p.total, RoundingMinor: st.RoundingMinor, DueMinor: st.DueMinor, TaxMinor: p.tax,
		Taxes: p.taxes, ChangeMinor: st.ChangeMinor, Lines: p.lines, SavingMinor: p.saving,
		Promotions: usedOrEmpty(p.promotions), Payments: payments,
		CustomerID: req.CustomerID, ReservationID: req.ReservationID, Warnings: append([]Warning{}, p.warnings...),
		Training: req.Training || s.trainingMode(), LotteryCode: req.LotteryCode,
	}, nil
}

// storeSale writes the sale, its lines, payments, receipt number, stock, movements and events.
func (s *Service) storeSale(ctx context.Context, tx dbtx, sale *Sale, hash string) error {
	var n int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO receipt_counters (terminal, last_no) VALUES (?1, 1)
		ON CONFLICT (terminal) DO UPDATE SET last_no = last_no + 1 RETURNING last_no`, sale.Terminal).Scan(&n); err != nil {
		return fmt.Errorf("receipt number: %w", err)
	}
	sale.ReceiptNo = fmt.Sprintf("%s-%06d", sale.Terminal, n)
	_, err := tx.ExecContext(ctx, `INSERT INTO sales (sale_id, terminal, cashier, receipt_no, request_hash,
		currency, total_minor, rounding_minor, tax_minor, change_minor, customer_id, reservation_id, completed_at, body,
		till_session_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, '', ?14)`,
		sale.SaleID, sale.Terminal, sale.Cashier, sale.ReceiptNo, hash, sale.Currency, sale.TotalMinor,
		sale.RoundingMinor, sale.TaxMinor, sale.ChangeMinor, sale.CustomerID, sale.ReservationID, sale.CompletedAt,
		sale.TillSessionID)
	if err != nil {
		return fmt.Errorf("store sale: %w", err)
	}
	for i, l := range sale.Lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, weight_g,
			unit_price_minor, amount_minor, tax_rate_bp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
			sale.SaleID, i, l.SKU, l.Name, l.Qty, l.WeightG, l.UnitPriceMinor, l.AmountMinor, l.TaxRateBP); err != nil {
			return fmt.Errorf("store sale line %d: %w", i, err)
		}
	}
	for i, p := range sale.Payments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sale_payments (sale_id, idx, method, amount_minor)
			VALUES (?1, ?2, ?3, ?4)`, sale.SaleID, i, p.Method, p.AmountMinor); err != nil {
			return fmt.Errorf("store payment %d: %w", i, err)
		}
	}
	at, _ := time.Parse(time.RFC3339Nano, sale.CompletedAt)
	if sale.ReservationID != "" {
		if err := s.collectBySale(ctx, tx, sale, at); err != nil {
			return err
		}
	}
	for _, l := range sale.Lines {
		w, err := s.move(ctx, tx, Movement{
			MovementID: uuid.Must(uuid.NewV7()).String(), SKU: l.SKU, Delta: -l.stockDelta,
			Reason: "sale", Ref: sale.SaleID, OccurredAt: sale.CompletedAt, Terminal: sale.Terminal,
		}, "")
		if err != nil {
			return err
		}
		sale.Warnings = append(sale.Warnings, w...)
	}
	if err := recordSale(ctx, tx, sale); err != nil {
		return err
	}
	if _, err := s.out.Append(ctx, tx, outbox.TopicSales, "retail.sale.completed", sale.SaleID, at, sale); err != nil {
		return err
	}
	return nil
}

// GetSale returns a stored sale's body.
func (s *Service) GetSale(ctx context.Context, id string) ([]byte, error) {
	var body []byte
	err := s.r().QueryRowContext(ctx, `SELECT body FROM sales WHERE sale_id = ?1`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, reqErr(http.StatusNotFound, "not_found", "no sale %q", truncate(id, 40))
	}
	return body, err
}

// drawerHold refuses a new sale while the terminal's cash drawer is reported open
// (till.require_drawer_closed).
func (s *Service) drawerHold(terminal string) error {
	if f := s.opts.Till.DrawerOpen; f != nil && f(terminal) {
		return reqErr(http.StatusConflict, "drawer_open", "the cash drawer of terminal %s is open: close it before the next sale", terminal)
	}
	return nil
}
