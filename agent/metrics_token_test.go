package agent

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestAgent_MetricsToken: with http.metrics_token_file, /metrics answers only to that bearer token
// (issue 16, Low); the POS tokens do not open it.
func TestAgent_MetricsToken(t *testing.T) {
	cfg := testConfig(t)
	file := filepath.Join(t.TempDir(), "metrics.token")
	if err := os.WriteFile(file, []byte("scrape-0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.MetricsTokenFile = file
	var ps configProblems
	cfg.readSecrets(func(string) (string, int) { return "", 0 }, &ps)
	if err := ps.err(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	get := func(tok string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", a.URL()+"/metrics", nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for tok, want := range map[string]int{"": 401, testToken: 401, "scrape-0123456789abcdef": 200} {
		if got := get(tok); got != want {
			t.Errorf("/metrics with %q: %d, want %d", tok, got, want)
		}
	}
}
