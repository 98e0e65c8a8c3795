package pos

import (
	"context"
	"errors"

	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"github.com/storeagent/storeagent/sync/db"
	"net/http"
	"strings"
	gosync "sync"
	"time"
)

// CookieName is the web POS session cookie: HttpOnly and SameSite=Strict, because a browser's
// EventSource cannot send an Authorization header. Its value is a session id made at login, not
// the terminal's token: logout revokes it, it expires, and a sniffed cookie never reveals the token.
const CookieName = "storeagent_pos"

// Session bounds: a login lasts a shift and a half at most, and a terminal keeps its newest few
// sessions (a lane's browser, a manager's tablet); older ones are revoked when a new one starts.
const (
	sessionTTL         = 12 * time.Hour
	sessionsPerTermMax = 8
)

// authenticator maps tokens to terminals with constant-time comparison: every terminal's token hash
// is compared on every request, so timing tells nothing about which token nearly matched. It also
// keeps the web POS sessions, by the SHA-256 of their id.
type authenticator struct {
	terms  []Terminal
	hashes [][32]byte
	now    func() time.Time
	// db keeps the sessions across restarts (table pos_sessions); nil keeps them in memory only.
	db *db.DB

	mu       gosync.Mutex
	sessions map[[32]byte]session // the sessions seen since start: a cache of pos_sessions
}

type session struct {
	term    int // index in terms
	started time.Time
	expires time.Time
}

func newAuthenticator(terms []Terminal, d *db.DB) *authenticator {
	a := &authenticator{now: time.Now, db: d, sessions: map[[32]byte]session{}}
	for _, t := range terms {
		if t.Token == "" {
			continue
		}
		a.terms = append(a.terms, t)
		a.hashes = append(a.hashes, sha256.Sum256([]byte(t.Token)))
	}
	return a
}

// terminal returns the terminal whose token this is.
func (a *authenticator) terminal(token string) (Terminal, bool) {
	i := a.index(token)
	if i < 0 {
		return Terminal{}, false
	}
	return a.terms[i], true
}

func (a *authenticator) index(token string) int {
	if token == "" {
		return -1
	}
	h := sha256.Sum256([]byte(token))
	found := -1
	for i := range a.hashes {
		if subtle.ConstantTimeCompare(h[:], a.hashes[i][:]) == 1 {
			found = i
		}
	}
	return found
}

// login starts a session for the terminal whose token this is and returns its id. A lane keeps
// its newest sessionsPerTermMax sessions; expired ones are dropped.
func (a *authenticator) login(ctx context.Context, token string) (Terminal, string, error) {
	i := a.index(token)
	if i < 0 {
		return Terminal{}, "", errBadToken
	}
	var raw [32]byte
	rand.Read(raw[:]) // never fails (crypto/rand since Go 1.24)
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	key := sha256.Sum256([]byte(id))
	now := a.now()
	s := session{term: i, started: now, expires: now.Add(sessionTTL)}
	if a.db != nil {
		if err := a.saveSession(ctx, key, s); err != nil {
			return Terminal{}, "", err
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var oldest [32]byte
	n := 0
	for k, o := range a.sessions {
		switch {
		case !now.Before(o.expires):
			delete(a.sessions, k)
		case o.term == i:
			if n == 0 || o.started.Before(a.sessions[oldest].started) {
				oldest = k
			}
			n++
		}
	}
	if n >= sessionsPerTermMax {
		delete(a.sessions, oldest)
	}
	a.sessions[key] = s
	return a.terms[i], id, nil
}

var errBadToken = errors.New("the terminal token matches no terminal")

// sessionStamp is fixed-width, so stored times compare as text.
const sessionStamp = "2006-01-02T15:04:05.000000000Z"

// saveSession stores s and drops the lane's sessions beyond the newest sessionsPerTermMax and
// every expired one, in one transaction.
func (a *authenticator) saveSession(ctx context.Context, key [32]byte, s session) error {
	term := a.terms[s.term]
	th := a.hashes[s.term]
	stamp := func(t time.Time) string { return t.UTC().Format(sessionStamp) }
	tx, err := a.db.W.BeginTx(ctx, nil)
	if err != nil {
		return db.Explain(err)
	}
	defer tx.Rollback()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM pos_sessions WHERE expires_at <= ?1`, []any{stamp(s.started)}},
		{`INSERT INTO pos_sessions (id_hash, terminal, token_hash, started_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)`,
			[]any{key[:], term.ID, th[:], stamp(s.started), stamp(s.expires)}},
		{`DELETE FROM pos_sessions WHERE terminal = ?1 AND id_hash NOT IN
			(SELECT id_hash FROM pos_sessions WHERE terminal = ?1 ORDER BY started_at DESC LIMIT ?2)`, []any{term.ID, sessionsPerTermMax}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return db.Explain(err)
		}
	}
	return db.Explain(tx.Commit())
}

// session returns the terminal of a live session id: from the cache, else from pos_sessions (a
// session made before a restart), provided the terminal still has the token it logged in with.
func (a *authenticator) session(ctx context.Context, id string) (Terminal, bool) {
	if id == "" || len(id) > 128 {
		return Terminal{}, false
	}
	k := sha256.Sum256([]byte(id))
	now := a.now()
	a.mu.Lock()
	s, ok := a.sessions[k]
	a.mu.Unlock()
	if !ok && a.db != nil {
		s, ok = a.loadSession(ctx, k)
		if ok {
			a.mu.Lock()
			a.sessions[k] = s
			a.mu.Unlock()
		}
	}
	if !ok || !now.Before(s.expires) {
		if ok {
			a.logout(ctx, id)
		}
		return Terminal{}, false
	}
	return a.terms[s.term], true
}

func (a *authenticator) loadSession(ctx context.Context, k [32]byte) (session, bool) {
	var term, started, expires string
	var th []byte
	err := a.db.R.QueryRowContext(ctx, `SELECT terminal, token_hash, started_at, expires_at FROM pos_sessions WHERE id_hash = ?1`,
		k[:]).Scan(&term, &th, &started, &expires)
	if err != nil {
		return session{}, false
	}
	for i, t := range a.terms {
		if t.ID == term && subtle.ConstantTimeCompare(th, a.hashes[i][:]) == 1 {
			st, err1 := time.Parse(sessionStamp, started)
			ex, err2 := time.Parse(sessionStamp, expires)
			if err1 != nil || err2 != nil {
				return session{}, false
			}
			return session{term: i, started: st, expires: ex}, true
		}
	}
	return session{}, false
}

// logout revokes a session id (unknown ids are ignored).
func (a *authenticator) logout(ctx context.Context, id string) {
	k := sha256.Sum256([]byte(id))
	a.mu.Lock()
	delete(a.sessions, k)
	a.mu.Unlock()
	if a.db != nil {
		a.db.W.ExecContext(ctx, `DELETE FROM pos_sessions WHERE id_hash = ?1`, k[:])
	}
}

// credential is what a request authenticates with: a bearer token, or else the session cookie.
type credential struct {
	token, session string
}

func (c credential) empty() bool { return c.token == "" && c.session == "" }

// credentialOf reads the bearer token or, failing that, the session cookie.
func credentialOf(r *http.Request) credential {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return credential{token: strings.TrimSpace(t)}
		}
		return credential{}
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return credential{session: c.Value}
	}
	return credential{}
}

// authenticate returns the request's terminal.
func (a *authenticator) authenticate(ctx context.Context, c credential) (Terminal, bool) {
	if c.token != "" {
		return a.terminal(c.token)
	}
	return a.session(ctx, c.session)
}
