package pos

import (
	"net/http"
	"strings"
)

// serveMux routes r. What no route matches answers in the contract's JSON error shape, like every
// other error: 404 not_found for an unknown path, 405 method_not_allowed (with Allow) for a known
// path asked with the wrong method. ServeMux's own answers for those are plain text.
func (s *Server) serveMux(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r) // matches again, which also sets r's path values
		return
	}
	rec := &fallbackRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.code {
	case http.StatusNotFound:
		writeError(w, reqErr(http.StatusNotFound, "not_found", "no such endpoint: %s %s", r.Method, truncate(r.URL.Path, 80)))
	case http.StatusMethodNotAllowed:
		allow := rec.header.Get("Allow")
		w.Header().Set("Allow", allow)
		writeError(w, reqErr(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s; allowed: %s",
			r.Method, truncate(r.URL.Path, 80), strings.ReplaceAll(allow, ",", ", ")))
	default: // a redirect (a missing trailing slash, a cleaned path): pass it on as it is
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		w.WriteHeader(rec.code)
		w.Write(rec.body)
	}
}

// fallbackRecorder keeps what ServeMux's built-in handlers answer, so serveMux can rewrite it.
type fallbackRecorder struct {
	header http.Header
	code   int
	body   []byte
}

func (f *fallbackRecorder) Header() http.Header { return f.header }

func (f *fallbackRecorder) WriteHeader(code int) {
	if f.code == 0 {
		f.code = code
	}
}

func (f *fallbackRecorder) Write(b []byte) (int, error) {
	if f.code == 0 {
		f.code = http.StatusOK
	}
	f.body = append(f.body, b...)
	return len(b), nil
}

// unauthorized is the 401 for a request whose token (tok, "" when none was sent) names no
// terminal: a missing token and a wrong one get different messages, so IT can tell a POS that
// sends nothing from one configured with the wrong token.
func unauthorized(c credential) error {
	switch {
	case c.empty():
		return reqErr(http.StatusUnauthorized, "unauthorized", "no terminal token: send Authorization: Bearer <token>, or log in at /pos")
	case c.token == "":
		return reqErr(http.StatusUnauthorized, "unauthorized", "the POS session has ended (logged out or expired): log in again at /pos")
	}
	return reqErr(http.StatusUnauthorized, "unauthorized", "the terminal token is not valid: it matches no terminal of this store (check the lane's token or token_file)")
}
