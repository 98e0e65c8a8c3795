package pos

import (
	"github.com/storeagent/storeagent/pos/browsertest"
	"os"
	"strings"
	"testing"
)

// axeSource finds axe-core's browser bundle: $STOREAGENT_AXE_JS (CI installs axe-core from the npm
// registry and sets it), else a node_modules in the working tree or home.
func axeSource(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("STOREAGENT_AXE_JS"), "node_modules/axe-core/axe.min.js"}
	if h, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, h+"/node_modules/axe-core/axe.min.js")
	}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	if os.Getenv("STOREAGENT_REQUIRE_BROWSER") == "1" {
		t.Fatal("axe-core not found (set STOREAGENT_AXE_JS) and STOREAGENT_REQUIRE_BROWSER=1")
	}
	t.Skip("axe-core not found: npm install axe-core and set STOREAGENT_AXE_JS")
	return ""
}

// TestBrowser_AisleAccessibility runs axe-core in Chromium on the aisle page in its states (in
// stock, low stock, out of stock with alternatives, unknown code) and the POS login: zero serious
// or critical violations.
func TestBrowser_AisleAccessibility(t *testing.T) {
	e := newPageEnv(t)
	axe := axeSource(t)
	if _, err := e.db.W.Exec(`UPDATE stock SET on_hand = 0 WHERE sku = 'CAFFE-250'`); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 412, 915)
	for _, path := range []string{"/p/8001234567897", "/p/RUISLEIPA", "/p/CAFFE-250", "/p/nothing-here", "/01/08001234567903", "/pos"} {
		b.Open(e.srv.URL + path)
		b.WaitFor("page "+path, `return document.readyState === "complete";`)
		var loaded bool
		b.Eval(axe+"\n;return typeof axe !== 'undefined';", &loaded)
		if !loaded {
			t.Fatalf("%s: axe-core did not load", path)
		}
		var violations []struct {
			ID     string `json:"id"`
			Impact string `json:"impact"`
			Help   string `json:"help"`
			Nodes  int    `json:"nodes"`
		}
		b.Eval(`return axe.run(document, {resultTypes: ["violations"]}).then(r =>
			r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.length})));`, &violations)
		var serious []string
		for _, v := range violations {
			if v.Impact == "serious" || v.Impact == "critical" {
				serious = append(serious, v.ID+" ("+v.Impact+"): "+v.Help)
			}
		}
		if len(serious) > 0 {
			t.Errorf("%s: %d serious accessibility violations:\n  %s", path, len(serious), strings.Join(serious, "\n  "))
		}
		t.Logf("%s: %d violations, %d serious or critical", path, len(violations), len(serious))
	}
}
