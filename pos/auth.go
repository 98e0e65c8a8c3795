package pos

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// CookieName is the web POS session cookie: the terminal token, HttpOnly and SameSite=Strict, because
// a browser's EventSource cannot send an Authorization header.
const CookieName = "storeagent_pos"

// authenticator maps tokens to terminals with constant-time comparison: every terminal's token hash
// is compared on every request, so timing tells nothing about which token nearly matched.
type authenticator struct {
	terms  []Terminal
	hashes [][32]byte
}

func newAuthenticator(terms []Terminal) *authenticator {
	a := &authenticator{}
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
	if token == "" {
		return Terminal{}, false
	}
	h := sha256.Sum256([]byte(token))
	found := -1
	for i := range a.hashes {
		if subtle.ConstantTimeCompare(h[:], a.hashes[i][:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Terminal{}, false
	}
	return a.terms[found], true
}

// tokenOf reads the bearer token or, failing that, the session cookie.
func tokenOf(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}
