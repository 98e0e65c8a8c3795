package pos

import (
	"context"
	"errors"
	"net/http"
	"time"
)

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.Healthy(r.Context()); err != nil {
		writeError(w, reqErr(http.StatusServiceUnavailable, "unhealthy", "database not writable: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Public product lookups per client IP (issue 16, Low): a price checker or a phone needs a few a
// second; a scraper is slowed like on the aisle pages. A request with a terminal's token is not
// limited (the POS and the benchmarks look up at their own pace).
const (
	productLookupRate  = 5
	productLookupBurst = 20
)

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	if c := credentialOf(r); c.empty() || !s.authenticated(r, c) {
		if !s.productLimit.allow(clientIP(r)) {
			w.Header().Set("Retry-After", "1")
			writeError(w, reqErr(http.StatusTooManyRequests, "rate_limited", "too many product lookups from this address: at most %d a second", productLookupRate))
			return
		}
	}
	p, err := s.svc.Lookup(r.Context(), r.PathValue("code"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		writeError(w, err)
		return
	}
	if s.refuseLockedOut(w, r) {
		return
	}
	term, id, err := s.svc.auth.login(r.Context(), body.Token)
	if errors.Is(err, errBadToken) {
		s.authFailed(r, credential{token: body.Token})
		writeError(w, unauthorized(credential{token: body.Token}))
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.svc.opts.SecureCookies, MaxAge: int(sessionTTL / time.Second)})
	writeJSON(w, http.StatusOK, map[string]string{"terminal": term.ID})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		s.svc.auth.logout(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.svc.opts.SecureCookies, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, _ Terminal) {
	st, err := s.svc.Status(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) quote(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req SaleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if len(req.Payments) > 0 {
		writeError(w, badRequest("a quote takes no payments"))
		return
	}
	q, err := s.svc.Quote(r.Context(), term.ID, req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func (s *Server) createSale(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req SaleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	// The sale must not be abandoned half way because the client hung up: the outcome is decided
	// by the commit, which a retry with the same sale_id then reads.
	ctx := context.WithoutCancel(r.Context())
	res, err := s.svc.CreateSale(ctx, term, req)
	if err != nil {
		writeError(w, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/sales/"+res.SaleID)
	}
	writeRaw(w, status, res.Body)
}

func (s *Server) getSale(w http.ResponseWriter, r *http.Request, _ Terminal) {
	body, err := s.svc.GetSale(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, body)
}

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req RefundRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	body, created, err := s.svc.CreateRefund(context.WithoutCancel(r.Context()), term, req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, createdStatus(created), body)
}

func (s *Server) adjust(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req AdjustmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	body, created, err := s.svc.Adjust(context.WithoutCancel(r.Context()), term, req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, createdStatus(created), body)
}

func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Server) listReservations(w http.ResponseWriter, r *http.Request, _ Terminal) {
	list, err := s.svc.Reservations(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) collect(w http.ResponseWriter, r *http.Request, _ Terminal) {
	res, err := s.svc.Collect(context.WithoutCancel(r.Context()), r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request, term Terminal) {
	s.svc.events.serveEvents(w, r, term.ID, s.KeepAlive)
}
