package pos

import (
	"context"
	"net/http"
)

// registerPayments adds the payment endpoints (CONTRACT.md wave 2, "Payment terminals").
func (s *Server) registerPayments() {
	s.pos("POST /api/v1/payments", s.createPayment)
	s.pos("GET /api/v1/payments/{id}", s.getPayment)
	s.pos("POST /api/v1/payments/{id}/cancel", s.cancelPayment)
	s.pos("POST /api/v1/payments/{id}/resolve", s.resolvePayment)
}

func (s *Server) createPayment(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req PaymentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	v, err := s.svc.CreatePayment(context.WithoutCancel(r.Context()), term, req)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", "/api/v1/payments/"+v.PaymentID)
	writeJSON(w, http.StatusAccepted, v)
}

func (s *Server) getPayment(w http.ResponseWriter, r *http.Request, _ Terminal) {
	v, err := s.svc.GetPayment(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) cancelPayment(w http.ResponseWriter, r *http.Request, term Terminal) {
	v, err := s.svc.CancelPayment(context.WithoutCancel(r.Context()), term, r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) resolvePayment(w http.ResponseWriter, r *http.Request, term Terminal) {
	var req ResolveRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	v, err := s.svc.ResolvePayment(context.WithoutCancel(r.Context()), term, r.PathValue("id"), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
