package pos

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	stdsync "sync"
	"time"
)

// Pairing a tablet as a lane's customer display (issue 13). The cashier's screen asks for a
// pairing code (POST /api/v1/display/pairing: 6 digits, valid pairCodeTTL, one use, one per lane
// at a time); the tablet opens /pos/display, types it (POST /pos/display/pair) and gets a
// display-only session: the storeagent_display cookie, a random id stored hashed in pos_sessions
// under the terminal "display:<lane>" with the lane's token hash (a changed token ends it, as it
// ends the lane's logins). That cookie reads the lane's display feed and nothing else: every
// other API answers 401 to it, because the POS routes read only a bearer token or the
// storeagent_pos cookie. The lane lists and revokes its displays (GET and DELETE
// /api/v1/display/sessions); a revoked display's open stream ends at once.
//
// Guessing is bounded: a wrong code counts against the client IP with the failed tokens (10,
// then one a minute) and against the whole store (pairFailBurst, then one every 30 s), so in a
// code's 5 minutes a few dozen guesses are possible against a million codes.

// DisplayCookieName is the paired customer display's session cookie.
const DisplayCookieName = "storeagent_display"

const (
	pairCodeTTL          = 5 * time.Minute
	displaySessionTTL    = 30 * 24 * time.Hour // a tablet on the counter stays paired for a month
	displaysPerTermMax   = 4
	pairFailBurst        = 20
	pairFailRate         = 1.0 / 30
	displayTermPrefix    = "display:"
	pairCodeDigits       = 6
	displaySessionsLimit = 64 // a lane's listing is bounded
)

type pairCode struct {
	term    int // index in auth.terms
	expires time.Time
}

type displaySession struct {
	term    int
	started time.Time
	expires time.Time
}

// displayPairing keeps the open pairing codes (memory only: a restart voids them) and the display
// sessions (cached from pos_sessions), and the cancel functions of the streams each one has open.
type displayPairing struct {
	auth  *authenticator
	now   func() time.Time
	fails *ipLimiter // store-wide failed codes, under the one key "store"

	mu       stdsync.Mutex
	codes    map[string]pairCode
	sessions map[[32]byte]displaySession
	streams  map[[32]byte]map[*context.CancelFunc]bool
}

func newDisplayPairing(auth *authenticator, now func() time.Time) *displayPairing {
	if now == nil {
		now = time.Now
	}
	return &displayPairing{auth: auth, now: now, fails: newIPLimiter(pairFailRate, pairFailBurst, now),
		codes: map[string]pairCode{}, sessions: map[[32]byte]displaySession{}, streams: map[[32]byte]map[*context.CancelFunc]bool{}}
}

func (p *displayPairing) termIndex(id string) int {
	for i, t := range p.auth.terms {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// newCode makes the lane's pairing code, replacing its previous one.
func (p *displayPairing) newCode(term string) (string, time.Time, error) {
	i := p.termIndex(term)
	if i < 0 {
		return "", time.Time{}, reqErr(http.StatusForbidden, "forbidden", "terminal %s has no token to pair a display to", term)
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, pc := range p.codes {
		if pc.term == i || !now.Before(pc.expires) {
			delete(p.codes, c)
		}
	}
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return "", time.Time{}, err
		}
		code := fmt.Sprintf("%0*d", pairCodeDigits, n.Int64())
		if _, taken := p.codes[code]; taken {
			continue // another lane's open code
		}
		exp := now.Add(pairCodeTTL)
		p.codes[code] = pairCode{term: i, expires: exp}
		return code, exp, nil
	}
}

// take uses a code once; ok is false for a wrong or expired one.
func (p *displayPairing) take(code string) (int, bool) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	pc, ok := p.codes[code]
	if !ok {
		return 0, false
	}
	delete(p.codes, code)
	return pc.term, now.Before(pc.expires)
}

// pair starts a display session for the lane and returns its id.
func (p *displayPairing) pair(ctx context.Context, i int) (string, error) {
	var raw [32]byte
	rand.Read(raw[:])
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	key := sha256.Sum256([]byte(id))
	now := p.now()
	s := displaySession{term: i, started: now, expires: now.Add(displaySessionTTL)}
	if d := p.auth.db; d != nil {
		stamp := func(t time.Time) string { return t.UTC().Format(sessionStamp) }
		term := displayTermPrefix + p.auth.terms[i].ID
		th := p.auth.hashes[i]
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			return "", err
		}
		defer tx.Rollback()
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO pos_sessions (id_hash, terminal, token_hash, started_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)`,
				[]any{key[:], term, th[:], stamp(s.started), stamp(s.expires)}},
			{`DELETE FROM pos_sessions WHERE terminal = ?1 AND id_hash NOT IN
				(SELECT id_hash FROM pos_sessions WHERE terminal = ?1 ORDER BY started_at DESC LIMIT ?2)`, []any{term, displaysPerTermMax}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return "", err
			}
		}
		if err := tx.Commit(); err != nil {
			return "", err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var oldest [32]byte
	n := 0
	for k, o := range p.sessions {
		if o.term == i {
			if n == 0 || o.started.Before(p.sessions[oldest].started) {
				oldest = k
			}
			n++
		}
	}
	if n >= displaysPerTermMax {
		p.dropLocked(oldest)
	}
	p.sessions[key] = s
	return id, nil
}

// dropLocked forgets a session and ends its open streams; p.mu is held.
func (p *displayPairing) dropLocked(k [32]byte) {
	delete(p.sessions, k)
	for c := range p.streams[k] {
		(*c)()
	}
	delete(p.streams, k)
}

// session returns the lane of a live display session id, and its key.
func (p *displayPairing) session(ctx context.Context, id string) (Terminal, [32]byte, bool) {
	if id == "" || len(id) > 128 {
		return Terminal{}, [32]byte{}, false
	}
	k := sha256.Sum256([]byte(id))
	now := p.now()
	p.mu.Lock()
	s, ok := p.sessions[k]
	p.mu.Unlock()
	if !ok && p.auth.db != nil {
		s, ok = p.load(ctx, k)
		if ok {
			p.mu.Lock()
			p.sessions[k] = s
			p.mu.Unlock()
		}
	}
	if !ok || !now.Before(s.expires) {
		return Terminal{}, k, false
	}
	return p.auth.terms[s.term], k, true
}

func (p *displayPairing) load(ctx context.Context, k [32]byte) (displaySession, bool) {
	var term, started, expires string
	var th []byte
	err := p.auth.db.R.QueryRowContext(ctx, `SELECT terminal, token_hash, started_at, expires_at FROM pos_sessions WHERE id_hash = ?1`,
		k[:]).Scan(&term, &th, &started, &expires)
	if err != nil {
		return displaySession{}, false
	}
	lane, ok := strings.CutPrefix(term, displayTermPrefix)
	if !ok {
		return displaySession{}, false // a cashier's session is no display's
	}
	for i, t := range p.auth.terms {
		if t.ID == lane && subtle.ConstantTimeCompare(th, p.auth.hashes[i][:]) == 1 {
			st, err1 := time.Parse(sessionStamp, started)
			ex, err2 := time.Parse(sessionStamp, expires)
			if err1 != nil || err2 != nil {
				return displaySession{}, false
			}
			return displaySession{term: i, started: st, expires: ex}, true
		}
	}
	return displaySession{}, false
}

// DisplaySessionInfo is one paired display in GET /api/v1/display/sessions.
type DisplaySessionInfo struct {
	StartedAt time.Time `json:"started_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// list returns the lane's live display sessions, newest first.
func (p *displayPairing) list(ctx context.Context, term string) ([]DisplaySessionInfo, error) {
	out := []DisplaySessionInfo{}
	if p.auth.db == nil {
		now := p.now()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, s := range p.sessions {
			if p.auth.terms[s.term].ID == term && now.Before(s.expires) {
				out = append(out, DisplaySessionInfo{StartedAt: s.started, ExpiresAt: s.expires})
			}
		}
		return out, nil
	}
	rows, err := p.auth.db.R.QueryContext(ctx, `SELECT started_at, expires_at FROM pos_sessions WHERE terminal = ?1 AND expires_at > ?2
		ORDER BY started_at DESC LIMIT ?3`, displayTermPrefix+term, p.now().UTC().Format(sessionStamp), displaySessionsLimit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		st, _ := time.Parse(sessionStamp, a)
		ex, _ := time.Parse(sessionStamp, b)
		out = append(out, DisplaySessionInfo{StartedAt: st, ExpiresAt: ex})
	}
	return out, rows.Err()
}

// revoke ends every display session of the lane (and their streams) and voids its open code.
func (p *displayPairing) revoke(ctx context.Context, term string) (int, error) {
	i := p.termIndex(term)
	n := 0
	if p.auth.db != nil {
		res, err := p.auth.db.W.ExecContext(ctx, `DELETE FROM pos_sessions WHERE terminal = ?1`, displayTermPrefix+term)
		if err != nil {
			return 0, err
		}
		m, _ := res.RowsAffected()
		n = int(m)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cached := 0
	for k, s := range p.sessions {
		if s.term == i {
			p.dropLocked(k)
			cached++
		}
	}
	for c, pc := range p.codes {
		if pc.term == i {
			delete(p.codes, c)
		}
	}
	if p.auth.db == nil {
		n = cached
	}
	return n, nil
}

// watch registers a stream of session k; the returned function unregisters it.
func (p *displayPairing) watch(k [32]byte, cancel context.CancelFunc) func() {
	c := &cancel
	p.mu.Lock()
	if p.streams[k] == nil {
		p.streams[k] = map[*context.CancelFunc]bool{}
	}
	p.streams[k][c] = true
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.streams[k], c)
		if len(p.streams[k]) == 0 {
			delete(p.streams, k)
		}
		p.mu.Unlock()
	}
}

// displayRoute serves a display feed route to a paired display's cookie or, as before, to the
// lane's own login (bearer token or storeagent_pos cookie).
func (srv *Server) displayRoute(pattern string, p *displayPairing, h func(w http.ResponseWriter, r *http.Request, term Terminal)) {
	method, path, _ := strings.Cut(pattern, " ")
	srv.routes = append(srv.routes, Route{Method: method, Pattern: path, Auth: true})
	srv.mux.Handle(pattern, srv.instrument(path, func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(DisplayCookieName); err == nil && r.Header.Get("Authorization") == "" {
			if term, k, ok := p.session(r.Context(), c.Value); ok {
				ctx, cancel := context.WithCancel(r.Context())
				defer cancel()
				defer p.watch(k, cancel)()
				h(w, r.WithContext(ctx), term)
				return
			}
			if _, err := r.Cookie(CookieName); err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="storeagent"`)
				writeError(w, reqErr(http.StatusUnauthorized, "unauthorized", "this display's pairing has ended: pair it again with a code from the till"))
				return
			}
		}
		cred := credentialOf(r)
		if srv.refuseLockedOut(w, r) {
			return
		}
		term, ok := srv.svc.auth.authenticate(r.Context(), cred)
		if !ok {
			srv.authFailed(r, cred)
			w.Header().Set("WWW-Authenticate", `Bearer realm="storeagent"`)
			writeError(w, unauthorized(cred))
			return
		}
		h(w, r, term)
	}))
}

// registerDisplayPairing adds the pairing routes.
func registerDisplayPairing(srv *Server, p *displayPairing) {
	srv.Handle("POST /api/v1/display/pairing", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		code, exp, err := p.newCode(term.ID)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"code": code, "expires_at": exp.UTC(), "ttl_seconds": int(pairCodeTTL / time.Second)})
	})
	srv.Handle("GET /api/v1/display/sessions", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		l, err := p.list(r.Context(), term.ID)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"terminal": term.ID, "sessions": l})
	})
	srv.Handle("DELETE /api/v1/display/sessions", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		n, err := p.revoke(r.Context(), term.ID)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
	})
	srv.Handle("POST /pos/display/pair", false, func(w http.ResponseWriter, r *http.Request, _ Terminal) {
		var body struct {
			Code string `json:"code"`
		}
		if err := decodeJSON(w, r, &body); err != nil {
			writeError(w, err)
			return
		}
		if srv.refuseLockedOut(w, r) {
			return
		}
		if p.fails.exhausted("store") {
			w.Header().Set("Retry-After", "30")
			writeError(w, reqErr(http.StatusTooManyRequests, "rate_limited", "too many wrong pairing codes in this store: wait, then ask the till for a new code"))
			return
		}
		code := strings.TrimSpace(body.Code)
		i, ok := 0, len(code) == pairCodeDigits && strings.Trim(code, "0123456789") == ""
		if ok {
			i, ok = p.take(code)
		}
		if !ok {
			srv.authFails.allow(clientIP(r))
			p.fails.allow("store")
			srv.svc.log.Warn("display pairing code refused", "ip", clientIP(r))
			writeError(w, reqErr(http.StatusForbidden, "bad_pairing_code", "the pairing code is wrong, used or expired: ask the till for a new one"))
			return
		}
		id, err := p.pair(r.Context(), i)
		if err != nil {
			writeError(w, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: DisplayCookieName, Value: id, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: srv.svc.opts.SecureCookies, MaxAge: int(displaySessionTTL / time.Second)})
		writeJSON(w, http.StatusOK, map[string]string{"terminal": p.auth.terms[i].ID})
	})
}
