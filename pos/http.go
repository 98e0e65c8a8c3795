package pos

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 1 << 20

// Route is one registered HTTP route, for the OpenAPI agreement test.
type Route struct {
	Method, Pattern string
	Auth            bool
}

// Server is the agent's HTTP API over a Service.
type Server struct {
	svc     *Service
	mux     *http.ServeMux
	routes  []Route
	metrics *httpMetrics
	gather  prometheus.Gatherer
	// KeepAlive is the SSE keep-alive interval.
	KeepAlive time.Duration
	scans     *scanGate
	// customerLimit bounds customer lookups per terminal.
	customerLimit *ipLimiter
	// authFails counts failed tokens and logins per client IP (authFailBurst, then one a minute).
	authFails *ipLimiter
	// productLimit bounds public product lookups per client IP.
	productLimit *ipLimiter
	// metricsToken, when set, is the bearer token /metrics requires.
	metricsToken string
}

// MetricsToken makes /metrics require tok as a bearer token ("" = public).
func (s *Server) MetricsToken(tok string) { s.metricsToken = tok }

// authenticated reports whether c names a terminal.
func (s *Server) authenticated(r *http.Request, c credential) bool {
	_, ok := s.svc.auth.authenticate(r.Context(), c)
	return ok
}

// Brute-force bound on tokens (issue 16, Low): a client IP may fail authentication authFailBurst
// times, then once a minute; meanwhile every POS request and login from it is 429, valid or not.
const (
	authFailBurst = 10
	authFailRate  = 1.0 / 60
)

// ScanLimits sets the bounds of POST /api/v1/scan: decodes at a time (0: half the CPUs, at
// least 1), images a second per client IP and the burst (0: the defaults, 2 and 10; a negative
// rate turns the per-IP limit off).
func (s *Server) ScanLimits(concurrency int, ratePerIP float64, burst int) {
	if concurrency <= 0 {
		concurrency = max(runtime.NumCPU()/2, 1)
	}
	if ratePerIP == 0 {
		ratePerIP = defaultScanRatePerIP
	}
	if burst <= 0 {
		burst = defaultScanBurstPerIP
	}
	s.scans = newScanGate(concurrency, ratePerIP, burst)
}

// NewServer builds the router. reg receives the HTTP metrics and is served at /metrics.
func NewServer(svc *Service, reg *prometheus.Registry) *Server {
	s := &Server{svc: svc, mux: http.NewServeMux(), metrics: newHTTPMetrics(reg), gather: reg, KeepAlive: 15 * time.Second}
	s.ScanLimits(0, 0, 0)
	s.customerLimit = newIPLimiter(customerLookupRate, customerLookupBurst, svc.opts.Now)
	s.authFails = newIPLimiter(authFailRate, authFailBurst, svc.opts.Now)
	s.productLimit = newIPLimiter(productLookupRate, productLookupBurst, svc.opts.Now)
	s.public("GET /healthz", s.healthz)
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	s.public("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if tok := s.metricsToken; tok != "" {
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="storeagent metrics"`)
				writeError(w, reqErr(http.StatusUnauthorized, "unauthorized", "/metrics needs the metrics token (http.metrics_token_file) as a bearer token"))
				return
			}
		}
		metrics.ServeHTTP(w, r)
	})
	s.public("GET /api/v1/products/{code}", s.getProduct)
	s.public("GET /api/v1/openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(OpenAPI)
	})
	s.public("POST /api/v1/scan", s.scanImage)
	s.public("POST /pos/login", s.login)
	s.public("POST /pos/logout", s.logout)
	s.pos("GET /api/v1/status", s.status)
	s.pos("POST /api/v1/sales/quote", s.quote)
	s.pos("POST /api/v1/sales", s.createSale)
	s.pos("GET /api/v1/sales/{id}", s.getSale)
	s.pos("POST /api/v1/refunds", s.createRefund)
	s.pos("POST /api/v1/sales/{id}/void", s.voidSale)
	s.pos("POST /api/v1/sales/{id}/fiscal/retry", s.retryFiscal)
	s.pos("POST /api/v1/stock/adjustments", s.adjust)
	s.pos("GET /api/v1/reservations", s.listReservations)
	s.pos("POST /api/v1/reservations/{id}/collect", s.collect)
	s.pos("GET /api/v1/events", s.events)
	s.pos("GET /api/v1/customers/{id}", s.getCustomer)
	s.pos("POST /api/v1/till/open", s.openTill)
	s.pos("POST /api/v1/till/movements", s.moveTill)
	s.pos("GET /api/v1/till", s.tillX)
	s.pos("POST /api/v1/till/close", s.closeTill)
	s.pos("GET /api/v1/till/sessions/{id}", s.tillSession)
	s.pos("GET /api/v1/till/day", s.tillDay)
	s.pos("GET /api/v1/products", s.searchProducts)
	s.pos("GET /api/v1/pos/quick-keys", s.quickKeys)
	s.Handle("GET /api/v1/fiscal/key", true, s.fiscalKey)
	s.Handle("GET /api/v1/fiscal/closures", true, s.fiscalClosures)
	s.Handle("GET /api/v1/fiscal/journal", true, s.fiscalJournal)
	s.registerPayments()
	return s
}

// Routes lists the registered routes.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Handle registers an extra route (devices, pages and printing plug in here).
func (s *Server) Handle(pattern string, auth bool, h func(w http.ResponseWriter, r *http.Request, term Terminal)) {
	if auth {
		s.pos(pattern, h)
		return
	}
	s.public(pattern, func(w http.ResponseWriter, r *http.Request) { h(w, r, Terminal{}) })
}

func (s *Server) public(pattern string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.routes = append(s.routes, Route{Method: method, Pattern: path})
	s.mux.Handle(pattern, s.instrument(path, h))
}

func (s *Server) pos(pattern string, h func(w http.ResponseWriter, r *http.Request, term Terminal)) {
	method, path, _ := strings.Cut(pattern, " ")
	s.routes = append(s.routes, Route{Method: method, Pattern: path, Auth: true})
	s.mux.Handle(pattern, s.instrument(path, func(w http.ResponseWriter, r *http.Request) {
		cred := credentialOf(r)
		if s.refuseLockedOut(w, r) {
			return
		}
		term, ok := s.svc.auth.authenticate(r.Context(), cred)
		if !ok {
			s.authFailed(r, cred)
			w.Header().Set("WWW-Authenticate", `Bearer realm="storeagent"`)
			writeError(w, unauthorized(cred))
			return
		}
		h(w, r, term)
	}))
}

// crossOrigin refuses unsafe requests a browser marks as coming from another site
// (Sec-Fetch-Site, else Origin against Host): Go's own CSRF protection.
var crossOrigin = http.NewCrossOriginProtection()

// ServeHTTP serves the API with panic recovery: a bug answers 500, never kills the agent.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.svc.log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, reqErr(http.StatusInternalServerError, "internal", "internal error"))
		}
	}()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := crossOrigin.Check(r); err != nil {
		// A page on another site making the POS browser send a request with its cookie (CSRF): the
		// browser says so in Sec-Fetch-Site or Origin. Clients with a bearer token send neither.
		writeError(w, reqErr(http.StatusForbidden, "cross_origin", "cross-site %s refused: the POS only accepts requests from its own pages", r.Method))
		return
	}
	s.serveMux(w, r)
}

// statusRecorder remembers the status code for metrics.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		h(rec, r)
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		s.metrics.observe(r.Method, route, code, time.Since(start))
	})
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

// errorBody is the contract's error shape.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Line    *int   `json:"line,omitempty"`
		Name    string `json:"name,omitempty"`
	} `json:"error"`
}

// writeError answers an error in the contract's shape.
func writeError(w http.ResponseWriter, err error) {
	re := asRequestError(err)
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Line, b.Error.Name = re.Code, re.Message, re.Line, re.Name
	if re.Status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "30")
	}
	writeJSON(w, re.Status, b)
}

// decodeJSON reads one JSON object of at most maxJSONBody bytes into v, refusing unknown fields and
// trailing data with a 400 that says what is wrong.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct == "" {
		// A form or text/plain POST from another site would need no preflight; a JSON one does.
		return reqErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body with Content-Type: application/json")
	} else if mt, _, _ := strings.Cut(ct, ";"); !strings.EqualFold(strings.TrimSpace(mt), "application/json") {
		return reqErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json, not %q", truncate(ct, 60))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(v)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return reqErr(http.StatusRequestEntityTooLarge, "too_large", "the body is larger than %d bytes", maxJSONBody)
		case errors.Is(err, io.EOF):
			return badRequest("the body is empty: send a JSON object")
		case errors.As(err, &se):
			return badRequest("malformed JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			field := te.Field
			if p := jsonPathAt(body, te.Offset); p != "" {
				field = p // keeps the line index: lines[2].qty, not lines.qty
			}
			return badRequest("%s: expected %s, got %s", field, te.Type, te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return badRequest("%s", strings.TrimPrefix(err.Error(), "json: "))
		default:
			return badRequest("malformed JSON: %v", err)
		}
	}
	if dec.More() {
		return badRequest("trailing data after the JSON object")
	}
	if err := checkKeys(body, reflect.TypeOf(v)); err != nil {
		return badRequest("%v", err)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// refuseLockedOut answers 429 to a client IP that failed authentication too often.
func (s *Server) refuseLockedOut(w http.ResponseWriter, r *http.Request) bool {
	if !s.authFails.exhausted(clientIP(r)) {
		return false
	}
	w.Header().Set("Retry-After", "60")
	writeError(w, reqErr(http.StatusTooManyRequests, "rate_limited", "too many failed tokens from this address: wait a minute"))
	return true
}

// authFailed counts a failed token or login against its client IP and logs it. A request without
// any credential (a POS page before login) does not count.
func (s *Server) authFailed(r *http.Request, c credential) {
	if c.empty() {
		return
	}
	ip := clientIP(r)
	s.authFails.allow(ip)
	s.svc.log.Warn("authentication failed", "ip", ip, "path", truncate(r.URL.Path, 80), "session", c.token == "")
}

// shopperRoutes are the routes a shopper's phone needs: aisle pages (and the GS1 Digital Link
// form of them), product lookups, image scans, static files and the health check.
var shopperRoutes = map[string]bool{
	"GET /p/{code}": true, "GET /01/{gtin}": true, "GET /01/{gtin}/{rest...}": true, "GET /web/{file}": true,
	"GET /api/v1/products/{code}": true, "POST /api/v1/scan": true, "GET /healthz": true,
}

// Shopper is the handler of the shopper listener (http.shopper_listen): the shopper routes, and a
// 404 for everything else, POS login included, so the POS itself can be served over TLS only.
func (s *Server) Shopper() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.mux.Handler(r); !shopperRoutes[pattern] {
			w.Header().Set("X-Content-Type-Options", "nosniff")
			writeError(w, reqErr(http.StatusNotFound, "not_found", "%s %s is not served on the shopper listener (the POS is on http.listen)",
				r.Method, truncate(r.URL.Path, 80)))
			return
		}
		s.ServeHTTP(w, r)
	})
}
