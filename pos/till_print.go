package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/pos/document"
	"github.com/storeagent/storeagent/pos/receipt"
)

// reportJob is the payload of a report print job: the report as it was when printing was asked.
type reportJob struct {
	Kind   string          `json:"kind"` // x | z | day
	Report json.RawMessage `json:"report"`
}

// reportPayload is a report job's payload: the report of kind x, z or day as it is now.
func reportPayload(kind string, rep any) ([]byte, error) {
	raw, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	return json.Marshal(reportJob{Kind: kind, Report: raw})
}

// enqueueReport queues a session's report (X while open, Z once closed) on printer in tx.
func (s *Service) enqueueReport(ctx context.Context, tx *sql.Tx, printer string, rep TillReport) (*PrintRef, error) {
	if s.opts.Printing == nil {
		return nil, unprocessable("printing_unavailable", "no printer driver is running")
	}
	kind, doc := "z", rep.SessionID
	if rep.Status == "open" {
		kind, doc = "x", "x:"+rep.SessionID
	}
	rep.Print = nil
	payload, err := reportPayload(kind, rep)
	if err != nil {
		return nil, err
	}
	job, err := s.opts.Printing.EnqueueReport(ctx, tx, doc, printer, payload)
	if err != nil {
		return nil, err
	}
	return &PrintRef{JobID: job, Printer: printer}, nil
}

// PrintTillSession queues the terminal's session report on printer.
func (s *Service) PrintTillSession(ctx context.Context, term Terminal, id, printer string) (string, error) {
	var ref *PrintRef
	err := s.db.Group.Do(ctx, func(tx *sql.Tx) error {
		// Read in the writer's turn, just before the job is stored.
		rep, _, err := s.TillSession(ctx, term, id)
		if err != nil {
			return err
		}
		ref, err = s.enqueueReport(ctx, tx, printer, rep)
		return err
	})
	if err != nil {
		return "", err
	}
	s.opts.Printing.Wake()
	return ref.JobID, nil
}

// PrintTillDay queues the day report of date on printer.
func (s *Service) PrintTillDay(ctx context.Context, date, printer string) (string, error) {
	if s.opts.Printing == nil {
		return "", unprocessable("printing_unavailable", "no printer driver is running")
	}
	rep, err := s.TillDay(ctx, date)
	if err != nil {
		return "", err
	}
	payload, err := reportPayload("day", rep)
	if err != nil {
		return "", err
	}
	var job string
	err = s.db.Group.Do(ctx, func(tx *sql.Tx) error {
		job, err = s.opts.Printing.EnqueueReport(ctx, tx, "day:"+date, printer, payload)
		return err
	})
	if err != nil {
		return "", err
	}
	s.opts.Printing.Wake()
	return job, nil
}

// reportBytes lays a report job's payload out for printer.
func (q *PrintQueue) reportBytes(payload []byte, printer string, isCopy bool) ([]byte, error) {
	doc, err := q.reportDocument(payload, isCopy)
	if err != nil {
		return nil, err
	}
	return q.drv.Render(printer, doc)
}

// reportDocument lays a report job's payload out as a report Document.
func (q *PrintQueue) reportDocument(payload []byte, isCopy bool) (document.Document, error) {
	var job reportJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return document.Document{}, fmt.Errorf("report job: %w", err)
	}
	r, err := q.reportOf(job)
	if err != nil {
		return document.Document{}, err
	}
	r.Copy = isCopy
	return receipt.BuildReport(r)
}

// ReportBytes lays out a report (kind x, z or day; rep a TillReport or DayReport) for printer.
func (q *PrintQueue) ReportBytes(kind string, rep any, printer string) ([]byte, error) {
	doc, err := q.ReportDocument(kind, rep)
	if err != nil {
		return nil, err
	}
	return q.drv.Render(printer, doc)
}

// ReportDocument lays out a report (kind x, z or day; rep a TillReport or DayReport) as a
// Document, as report.png shows it.
func (q *PrintQueue) ReportDocument(kind string, rep any) (document.Document, error) {
	payload, err := reportPayload(kind, rep)
	if err != nil {
		return document.Document{}, err
	}
	return q.reportDocument(payload, false)
}

// reportOf turns a stored report into what the printer lays out, with the store's header.
func (q *PrintQueue) reportOf(job reportJob) (receipt.TillReport, error) {
	r := receipt.TillReport{Kind: job.Kind, StoreName: q.opts.StoreName, StoreAddress: q.opts.StoreAddress,
		StoreVATID: q.opts.StoreVATID, Timezone: q.opts.Timezone, Locale: q.opts.Locale, Currency: q.opts.Currency}
	var tenders []TillTender
	var taxes []TaxLine
	var sales TillSales
	var refunds TillRefunds
	switch job.Kind {
	case "x", "z":
		var s TillReport
		if err := json.Unmarshal(job.Report, &s); err != nil {
			return r, fmt.Errorf("report: %w", err)
		}
		r.Terminal, r.SessionID, r.ZNo, r.Implicit, r.OpenedBy = s.Terminal, s.SessionID, s.ZNo, s.Implicit, s.OpenedBy
		r.OpenedAt, _ = time.Parse(time.RFC3339Nano, s.OpenedAt)
		if s.ClosedAt != nil {
			r.ClosedAt, _ = time.Parse(time.RFC3339Nano, *s.ClosedAt)
		}
		if s.ClosedBy != nil {
			r.ClosedBy = *s.ClosedBy
		}
		if s.Currency != "" {
			r.Currency = s.Currency
		}
		r.FloatMinor, r.Reason = s.FloatMinor, s.Reason
		// The report is as of its reading (an X) or its close (a Z): a retried job prints the same bytes.
		r.PrintedAt, _ = time.Parse(time.RFC3339Nano, s.ReportedAt)
		for _, d := range s.CashCounted {
			r.CashCounted = append(r.CashCounted, receipt.Denomination{ValueMinor: d.ValueMinor, Count: d.Count})
		}
		tenders, taxes, sales, refunds = s.Tenders, s.Taxes, s.Sales, s.Refunds
	case "day":
		var d DayReport
		if err := json.Unmarshal(job.Report, &d); err != nil {
			return r, fmt.Errorf("day report: %w", err)
		}
		r.Date = d.Date
		r.PrintedAt, _ = time.Parse(time.RFC3339Nano, d.ReportedAt)
		r.OpenedAt, _ = time.Parse(time.RFC3339, d.StartsAt)
		r.ClosedAt, _ = time.Parse(time.RFC3339, d.EndsAt)
		for _, s := range d.Sessions {
			var diff int64
			if s.CashDifferenceMinor != nil {
				diff = *s.CashDifferenceMinor
			}
			r.Sessions = append(r.Sessions, receipt.ReportSession{Terminal: s.Terminal, ZNo: s.ZNo, Status: s.Status, DifferenceMinor: diff})
		}
		tenders, taxes, sales, refunds = d.Tenders, d.Taxes, d.Sales, d.Refunds
	default:
		return r, fmt.Errorf("report kind %q is not x, z or day", job.Kind)
	}
	r.SalesCount, r.SalesGrossMinor, r.SalesTaxMinor, r.RoundingMinor = sales.Count, sales.GrossMinor, sales.TaxMinor, sales.RoundingMinor
	r.RefundsCount, r.RefundsGrossMinor = refunds.Count, refunds.GrossMinor
	for _, t := range taxes {
		r.Taxes = append(r.Taxes, receipt.Tax{TaxRateBP: t.TaxRateBP, GrossMinor: t.GrossMinor, TaxMinor: t.TaxMinor})
	}
	for _, t := range tenders {
		rt := receipt.Tender{Method: t.Method, SalesMinor: t.SalesMinor, RefundsMinor: t.RefundsMinor,
			PayInMinor: t.PayInMinor, PayOutMinor: t.PayOutMinor, DropsMinor: t.DropsMinor, ExpectedMinor: t.ExpectedMinor}
		if t.CountedMinor != nil && t.DifferenceMinor != nil {
			rt.Counted, rt.CountedMinor, rt.DifferenceMinor = true, *t.CountedMinor, *t.DifferenceMinor
		}
		r.Tenders = append(r.Tenders, rt)
	}
	return r, nil
}
