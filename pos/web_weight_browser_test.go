package pos

import (
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// posPageBudget is the most the POS screen may transfer on a cold cache (issue 13: < 150 KB).
const posPageBudget = 150 * 1024

// TestPages_POSWeight sums the bytes of /pos and every script and style it names, as served: the
// screen must stay under its budget with no CDN (every asset from this agent's /web/).
func TestPages_POSWeight(t *testing.T) {
	e := newPageEnv(t)
	get := func(path string) []byte {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return b
	}
	for _, page := range []string{"/pos", "/pos/display"} {
		html := get(page)
		total := len(html)
		refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(html, -1)
		if len(refs) < 2 {
			t.Fatalf("%s names %d assets", page, len(refs))
		}
		for _, m := range refs {
			ref := string(m[1])
			if !regexp.MustCompile(`^/web/[a-z0-9-]+\.(js|css)$`).MatchString(ref) {
				t.Errorf("%s names %q: every asset must come from this agent's /web/", page, ref)
				continue
			}
			total += len(get(ref))
		}
		t.Logf("%s: %d bytes with its %d assets (budget %d)", page, total, len(refs), posPageBudget)
		if total > posPageBudget {
			t.Errorf("%s transfers %d bytes, over the %d budget", page, total, posPageBudget)
		}
	}
}

// TestBrowser_POSColdLoad loads /pos in a fresh Chromium profile (a cold cache) and reports what
// the browser transferred and how long the page took; the byte budget is asserted, the time is
// reported only (speed targets live in benchmarks, never in timed unit tests).
func TestBrowser_POSColdLoad(t *testing.T) {
	e := newPageEnv(t)
	b := browsertest.New(t, 1366, 768)
	b.Open(e.srv.URL + "/pos")
	b.WaitFor("loaded", `return document.readyState === "complete" && !document.getElementById("login").hidden;`)
	var m struct {
		Bytes  int     `json:"bytes"`
		Assets int     `json:"assets"`
		DCL    float64 `json:"dcl"`
		Load   float64 `json:"load"`
	}
	b.Eval(`var nav = performance.getEntriesByType("navigation")[0];
		var res = performance.getEntriesByType("resource");
		var bytes = nav.transferSize;
		res.forEach(function (r) { bytes += r.transferSize; });
		return {bytes: bytes, assets: res.length, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};`, &m)
	t.Logf("cold load of /pos: %d bytes transferred (%d assets), DOMContentLoaded %.0f ms, load %.0f ms", m.Bytes, m.Assets, m.DCL, m.Load)
	if m.Bytes == 0 || m.Assets < 5 {
		t.Fatalf("resource timing gave %d bytes for %d assets: not measured", m.Bytes, m.Assets)
	}
	if m.Bytes > posPageBudget {
		t.Errorf("cold load transferred %d bytes, over the %d budget", m.Bytes, posPageBudget)
	}
}
