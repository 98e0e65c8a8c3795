package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/storeagent/storeagent/pos/document"
	"github.com/storeagent/storeagent/pos/receipt"
)

// storedSale reads a stored sale; a missing one is a 404 RequestError.
func (q *PrintQueue) storedSale(ctx context.Context, id string) (Sale, error) {
	var body []byte
	err := q.db.R.QueryRowContext(ctx, `SELECT body FROM sales WHERE sale_id = ?1`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return Sale{}, reqErr(http.StatusNotFound, "not_found", "no sale %q", truncate(id, 40))
	}
	if err != nil {
		return Sale{}, fmt.Errorf("read sale %s: %w", id, err)
	}
	var s Sale
	if err := json.Unmarshal(body, &s); err != nil {
		return Sale{}, fmt.Errorf("read sale %s: %w", id, err)
	}
	return s, nil
}

// Receipt lays the stored sale saleID out for printer: the bytes the printer gets for it.
// isCopy marks a reprint; drawer adds the cash-drawer kick.
func (q *PrintQueue) Receipt(ctx context.Context, saleID, printer string, isCopy, drawer bool) ([]byte, error) {
	doc, err := q.ReceiptDocument(ctx, saleID, isCopy, drawer)
	if err != nil {
		return nil, err
	}
	return q.drv.Render(printer, doc)
}

// ReceiptDocument lays the stored sale saleID out as a receipt Document (see Receipt).
func (q *PrintQueue) ReceiptDocument(ctx context.Context, saleID string, isCopy, drawer bool) (document.Document, error) {
	s, err := q.storedSale(ctx, saleID)
	if err != nil {
		return document.Document{}, err
	}
	return q.build(s, b2i64(isCopy), drawer)
}

// ReceiptFiscal is what a fiscal printer registers for the stored sale saleID
// (receipt.BuildFiscal): the RT driver gets it as the receipt Document's Fiscal part.
func (q *PrintQueue) ReceiptFiscal(ctx context.Context, saleID string) (*document.Fiscal, error) {
	s, err := q.storedSale(ctx, saleID)
	if err != nil {
		return nil, err
	}
	r, err := q.receiptOf(s)
	if err != nil {
		return nil, err
	}
	return receipt.BuildFiscal(r)
}

func b2i64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// build lays s out; copyNo is 0 for the original, N for the Nth copy. drawer asks for the
// drawer kick, which the driver leaves out on a printer without a drawer port.
func (q *PrintQueue) build(s Sale, copyNo int64, drawer bool) (document.Document, error) {
	r, err := q.receiptOf(s)
	if err != nil {
		return document.Document{}, err
	}
	r.Copy = copyNo > 0
	if q.opts.SIRET != "" && s.Fiscal != nil {
		r.Fiscal = &receipt.Fiscal{TicketNo: s.Fiscal.Seq, SIRET: q.opts.SIRET, Signature: s.Fiscal.Signature,
			Training: s.Fiscal.Chain == "training", Duplicate: copyNo}
	}
	r.OpenDrawer = drawer
	doc, err := receipt.Build(r)
	if err != nil || !q.opts.AttachFiscal || copyNo > 0 {
		return doc, err
	}
	if doc.Fiscal, err = receipt.BuildFiscal(r); err != nil {
		return document.Document{}, err
	}
	return doc, nil
}

// jobBytes builds a job's receipt. A missing sale or printer, or a receipt that cannot be laid
// out for the printer, is errPermanent; a failed database read is not.
func (q *PrintQueue) jobBytes(ctx context.Context, job PrintJob) ([]byte, error) {
	if !q.drv.Has(job.Printer) {
		return nil, fmt.Errorf("%w: printer %q is not configured", errPermanent, job.Printer)
	}
	if job.Kind == "report" {
		b, err := q.reportBytes(job.Payload, job.Printer, job.Copy)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errPermanent, err)
		}
		return b, nil
	}
	s, err := q.storedSale(ctx, job.SaleID)
	var re *RequestError
	if errors.As(err, &re) {
		return nil, fmt.Errorf("%w: %w", errPermanent, err)
	}
	if err != nil {
		return nil, err
	}
	var copyNo int64
	if job.Copy {
		// UUIDv7 job ids sort by creation: the copy number is how many prints came before.
		if err := q.db.R.QueryRowContext(ctx, `SELECT count(*) FROM print_jobs WHERE sale_id = ?1 AND kind = 'receipt'
			AND job_id < ?2`, job.SaleID, job.JobID).Scan(&copyNo); err != nil {
			return nil, err
		}
		copyNo = max(copyNo, 1)
	}
	doc, err := q.build(s, copyNo, job.Drawer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errPermanent, err)
	}
	b, err := q.drv.Render(job.Printer, doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errPermanent, err)
	}
	return b, nil
}

// receiptOf fills a receipt.Receipt from a stored sale and the store's options.
func (q *PrintQueue) receiptOf(s Sale) (receipt.Receipt, error) {
	at, err := time.Parse(time.RFC3339Nano, s.CompletedAt)
	if err != nil {
		return receipt.Receipt{}, fmt.Errorf("sale %s: completed_at %q: %w", s.SaleID, s.CompletedAt, err)
	}
	currency := s.Currency
	if currency == "" {
		currency = q.opts.Currency
	}
	r := receipt.Receipt{
		StoreName: q.opts.StoreName, StoreAddress: q.opts.StoreAddress, StoreVATID: q.opts.StoreVATID,
		ReceiptNo: s.ReceiptNo, Terminal: s.Terminal, Cashier: s.Cashier, SaleID: s.SaleID,
		CompletedAt: at, Timezone: q.opts.Timezone, Locale: q.opts.Locale, Currency: currency,
		TotalMinor: s.TotalMinor, RoundingMinor: s.RoundingMinor, ChangeMinor: s.ChangeMinor,
		FooterURL: q.opts.ReceiptURL,
	}
	for _, l := range s.Lines {
		rl := receipt.Line{Name: l.Name, Qty: l.Qty, WeightG: l.WeightG,
			UnitPriceMinor: l.UnitPriceMinor, AmountMinor: l.AmountMinor, TaxRateBP: l.TaxRateBP}
		for _, d := range l.Discounts {
			rl.Discounts = append(rl.Discounts, receipt.Discount{Name: d.Name, AmountMinor: d.AmountMinor})
		}
		r.Lines = append(r.Lines, rl)
	}
	for _, t := range s.Taxes {
		r.Taxes = append(r.Taxes, receipt.Tax{TaxRateBP: t.TaxRateBP, GrossMinor: t.GrossMinor, TaxMinor: t.TaxMinor})
	}
	for _, p := range s.Payments {
		rp := receipt.Payment{Method: p.Method, AmountMinor: p.AmountMinor}
		if p.Card != nil {
			rp.CardMasked, rp.Scheme, rp.AuthCode = p.Card.CardMasked, p.Card.Scheme, p.Card.AuthCode
		}
		r.Payments = append(r.Payments, rp)
	}
	return r, nil
}
