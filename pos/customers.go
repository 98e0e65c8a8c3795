package pos

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Customer is a loyalty customer as GET /api/v1/customers/{id} returns it.
type Customer struct {
	CustomerID string `json:"customer_id"`
	Name       string `json:"name"`
	Tier       string `json:"tier"`
	Points     int64  `json:"points"`
	Source     string `json:"source"` // "cache" | "central"
	Stale      bool   `json:"stale"`
}

// CustomerDirectory looks customers up at central (request/reply over MQTT) with a local cache;
// the sync package implements it.
type CustomerDirectory interface {
	// Lookup returns the customer, ErrCustomerNotFound when central says there is none, or
	// ErrCustomerUnavailable when central does not answer in time and nothing is cached.
	Lookup(ctx context.Context, id string) (Customer, error)
}

// Errors a CustomerDirectory returns.
var (
	ErrCustomerNotFound    = errors.New("customer not found")
	ErrCustomerUnavailable = errors.New("central did not answer in time and the customer is not cached")
)

// Customer lookup bounds per terminal (issue 16 item 11: a lane could look up 200 customers a
// second): a lane looks a customer up about once per basket, so a burst of 20 and then one every
// 2 seconds serve a busy till and stop a scrape.
const (
	customerLookupRate  = 0.5
	customerLookupBurst = 20
	// customerAuditDays and customerAuditMax bound the audit table.
	customerAuditDays = 90
	customerAuditMax  = 100000
)

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request, term Terminal) {
	id := r.PathValue("id")
	if err := validID("customer id", id); err != nil {
		writeError(w, err)
		return
	}
	if s.svc.opts.Customers == nil {
		writeError(w, reqErr(http.StatusServiceUnavailable, "unavailable", "customer lookups are not available: no link to central is configured"))
		return
	}
	if !s.customerLimit.allow(term.ID) {
		// Not audited: a refused lookup returned nothing, and a row each would make a flood a
		// write flood.
		w.Header().Set("Retry-After", "2")
		writeError(w, reqErr(http.StatusTooManyRequests, "rate_limited", "too many customer lookups from this terminal: at most %d at once, then one every %g s",
			customerLookupBurst, 1/customerLookupRate))
		return
	}
	c, err := s.svc.opts.Customers.Lookup(r.Context(), id)
	outcome := "found"
	switch {
	case errors.Is(err, ErrCustomerNotFound):
		outcome = "not_found"
		writeError(w, reqErr(http.StatusNotFound, "not_found", "central knows no customer %q", truncate(id, 40)))
	case errors.Is(err, ErrCustomerUnavailable):
		outcome = "central_timeout"
		writeError(w, reqErr(http.StatusGatewayTimeout, "central_timeout", "central did not answer in time and customer %q is not cached", truncate(id, 40)))
	case err != nil:
		outcome = "error"
		writeError(w, err)
	default:
		writeJSON(w, http.StatusOK, c)
	}
	s.svc.auditCustomerLookup(r.Context(), term.ID, id, outcome)
}

// auditCustomerLookup records who looked up which customer and what came of it (table
// customer_lookups, pruned to customerAuditDays and customerAuditMax rows). A failed write is
// logged: the audit never refuses a lookup.
func (s *Service) auditCustomerLookup(ctx context.Context, terminal, customerID, outcome string) {
	now := s.now().UTC()
	res, err := s.db.W.ExecContext(ctx, `INSERT INTO customer_lookups (at, terminal, customer_id, outcome) VALUES (?1, ?2, ?3, ?4)`,
		now.Format(time.RFC3339Nano), terminal, customerID, outcome)
	if err == nil {
		if n, _ := res.LastInsertId(); n%500 == 0 {
			_, err = s.db.W.ExecContext(ctx, `DELETE FROM customer_lookups WHERE at < ?1 OR id <= ?2`,
				now.AddDate(0, 0, -customerAuditDays).Format(time.RFC3339Nano), n-customerAuditMax)
		}
	}
	if err != nil {
		s.log.Warn("customer lookup audit not written", "terminal", terminal, "err", err)
	}
	s.log.Info("customer lookup", "terminal", terminal, "outcome", outcome)
}
