package pos

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPages_Aisle sends arbitrary codes and Accept-Language headers to the aisle page: it must
// answer 200 or 404, never echo markup, and always name one of its four languages.
func FuzzPages_Aisle(f *testing.F) {
	for _, s := range [][2]string{{"8001234567903", "it"}, {"<script>alert(1)</script>", "fr-CA;q=0.5"},
		{"OLD-ITEM", "*"}, {"", ""}, {"\x00\xff", "en;q=x,,"}, {"01/08001234567927", strings.Repeat("fi-", 100)}} {
		f.Add(s[0], s[1])
	}
	// The environment helpers take a *testing.T, as the benchmarks here do.
	e := newPageEnv(&testing.T{})
	f.Fuzz(func(t *testing.T, code, lang string) {
		req := httptest.NewRequest("GET", "/p/x", nil)
		req.URL.Path = "/p/" + code
		req.URL.RawPath = "/p/" + url.PathEscape(code)
		req.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		e.api.ServeHTTP(w, req)
		body := w.Body.String()
		switch w.Code {
		case 200, 404, 301, 307, 308: // the mux cleans paths such as "/p/a/../b" with a redirect
		default:
			t.Fatalf("status %d for %q", w.Code, code)
		}
		if w.Code >= 300 && w.Code < 400 {
			return
		}
		if strings.Count(body, "<script") > 1 || strings.Contains(body, "<script>") {
			t.Fatalf("markup echoed for %q:\n%s", code, body)
		}
		if w.Code == 200 || strings.Contains(body, "<main>") {
			ok := false
			for _, l := range pageLangs {
				ok = ok || strings.Contains(body, `<html lang="`+l+`">`)
			}
			if !ok {
				t.Fatalf("no page language for %q", lang)
			}
		}
		if !utf8.ValidString(body) {
			t.Fatalf("invalid UTF-8 for %q", code)
		}
	})
}
