package pos

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
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

	mu       gosync.Mutex
	sessions map[[32]byte]session
}

type session struct {
	term    int // index in terms
	started time.Time
	expires time.Time
}

func newAuthenticator(terms []Terminal) *authenticator {
	a := &authenticator{now: time.Now, sessions: map[[32]byte]session{}}
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

// login starts a session for the terminal whose token this is and returns its id.
func (a *authenticator) login(token string) (Terminal, string, bool) {
	i := a.index(token)
	if i < 0 {
		return Terminal{}, "", false
	}
	var raw [32]byte
	rand.Read(raw[:]) // never fails (crypto/rand since Go 1.24)
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	var oldest [32]byte
	n := 0
	for k, s := range a.sessions {
		switch {
		case !now.Before(s.expires):
			delete(a.sessions, k)
		case s.term == i:
			if n == 0 || s.started.Before(a.sessions[oldest].started) {
				oldest = k
			}
			n++
		}
	}
	if n >= sessionsPerTermMax {
		delete(a.sessions, oldest)
	}
	a.sessions[sha256.Sum256([]byte(id))] = session{term: i, started: now, expires: now.Add(sessionTTL)}
	return a.terms[i], id, true
}

// session returns the terminal of a live session id.
func (a *authenticator) session(id string) (Terminal, bool) {
	if id == "" {
		return Terminal{}, false
	}
	k := sha256.Sum256([]byte(id))
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[k]
	if !ok {
		return Terminal{}, false
	}
	if !a.now().Before(s.expires) {
		delete(a.sessions, k)
		return Terminal{}, false
	}
	return a.terms[s.term], true
}

// logout revokes a session id (unknown ids are ignored).
func (a *authenticator) logout(id string) {
	a.mu.Lock()
	delete(a.sessions, sha256.Sum256([]byte(id)))
	a.mu.Unlock()
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
func (a *authenticator) authenticate(c credential) (Terminal, bool) {
	if c.token != "" {
		return a.terminal(c.token)
	}
	return a.session(c.session)
}
