package pos

import (
	"context"
	"errors"
	"net/http"
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

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request, _ Terminal) {
	id := r.PathValue("id")
	if err := validID("customer id", id); err != nil {
		writeError(w, err)
		return
	}
	if s.svc.opts.Customers == nil {
		writeError(w, reqErr(http.StatusServiceUnavailable, "unavailable", "customer lookups are not available: no link to central is configured"))
		return
	}
	c, err := s.svc.opts.Customers.Lookup(r.Context(), id)
	switch {
	case errors.Is(err, ErrCustomerNotFound):
		writeError(w, reqErr(http.StatusNotFound, "not_found", "central knows no customer %q", truncate(id, 40)))
	case errors.Is(err, ErrCustomerUnavailable):
		writeError(w, reqErr(http.StatusGatewayTimeout, "central_timeout", "central did not answer in time and customer %q is not cached", truncate(id, 40)))
	case err != nil:
		writeError(w, err)
	default:
		writeJSON(w, http.StatusOK, c)
	}
}
