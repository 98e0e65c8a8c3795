package pos

import (
	"context"
	"net/http"
	"strconv"
)

// FiscalReader serves the fiscal journal over HTTP (France: pos/fiscal, wired by the agent).
type FiscalReader interface {
	// PublicKeyPEM is the PEM public key that verifies the journal's signatures.
	PublicKeyPEM() []byte
	// Closures returns the closure records of period (day, month or year), oldest first, as JSON.
	Closures(ctx context.Context, period string) ([]byte, error)
	// Records returns at most limit records of chain from seq fromSeq on, as JSON.
	Records(ctx context.Context, chain string, fromSeq int64, limit int) ([]byte, error)
}

// journalPage is the most records GET /api/v1/fiscal/journal answers at once.
const journalPage = 1000

var fiscalChains = map[string]bool{"ticket": true, "duplicate": true, "closure": true, "event": true, "training": true}

// fiscalOff answers the fiscal routes of a store with no fiscal journal.
func (s *Server) fiscalReader(w http.ResponseWriter) FiscalReader {
	if s.svc.opts.Fiscal == nil {
		writeError(w, reqErr(http.StatusNotFound, "fiscal_off", "this store keeps no fiscal journal (fiscal.country is not FR)"))
		return nil
	}
	return s.svc.opts.Fiscal
}

func (s *Server) fiscalKey(w http.ResponseWriter, r *http.Request, _ Terminal) {
	f := s.fiscalReader(w)
	if f == nil {
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Write(f.PublicKeyPEM())
}

func (s *Server) fiscalClosures(w http.ResponseWriter, r *http.Request, _ Terminal) {
	f := s.fiscalReader(w)
	if f == nil {
		return
	}
	p := r.URL.Query().Get("period")
	if p != "day" && p != "month" && p != "year" {
		writeError(w, badRequest("period: want day, month or year"))
		return
	}
	b, err := f.Closures(r.Context(), p)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, b)
}

func (s *Server) fiscalJournal(w http.ResponseWriter, r *http.Request, _ Terminal) {
	f := s.fiscalReader(w)
	if f == nil {
		return
	}
	q := r.URL.Query()
	chain := q.Get("chain")
	if !fiscalChains[chain] {
		writeError(w, badRequest("chain: want ticket, duplicate, closure, event or training"))
		return
	}
	from := int64(1)
	if v := q.Get("from_seq"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			writeError(w, badRequest("from_seq: want a whole number from 1"))
			return
		}
		from = n
	}
	b, err := f.Records(r.Context(), chain, from, journalPage)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, b)
}
