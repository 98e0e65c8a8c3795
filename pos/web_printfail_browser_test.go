package pos

import (
	"fmt"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSPrintFailure: a duplicate the agent gave up on (event "print") is said on the
// screen in the store's language and stays until the cashier presses OK; an ordinary job that
// cannot print is said too.
func TestBrowser_POSPrintFailure(t *testing.T) {
	for _, size := range screenSizes() {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newPageEnv(t, func(o *PageOptions) { o.Locale = "fr-FR" })
			b := browsertest.New(t, size[0], size[1])
			posLogin(b, e.srv.URL)
			deadlineSubs(t, b, e)
			e.svc.Events().Publish("lane1", Event{Name: "print", Data: map[string]any{"job_id": "j1", "sale_id": "s1",
				"printer": "lane1-printer", "kind": "receipt", "duplicate": true, "status": "failed", "reason": ErrDuplicateFaulted}})
			b.WaitFor("failure banner", `return !document.getElementById("printfail").hidden;`)
			want := "Le duplicata sur l'imprimante lane1-printer n'a peut-être pas été imprimé en entier. Si aucune copie complète n'est sortie, appuyez de nouveau sur Réimprimer : un nouveau duplicata est créé avec le numéro suivant."
			if got := strings.ReplaceAll(b.Text("#printfail-text"), "\u00a0", " "); got != want {
				t.Errorf("banner %q, want %q", got, want)
			}
			// a scan meanwhile does not hide it
			b.TypeInto("#code", "9999999999994\ue007")
			b.WaitFor("unknown said", `return document.getElementById("msg").innerText.length > 0;`)
			var shown bool
			b.Eval(`return !document.getElementById("printfail").hidden;`, &shown)
			if !shown {
				t.Error("the failure banner went away before the cashier pressed OK")
			}
			b.Screenshot(sizeName("pos-print-failure", size))
			b.Click("#printfail-ok")
			b.WaitFor("banner gone", `return document.getElementById("printfail").hidden;`)

			e.svc.Events().Publish("lane1", Event{Name: "print", Data: map[string]any{"printer": "lane1-printer", "duplicate": false, "status": "failed"}})
			b.WaitFor("plain failure", `return !document.getElementById("printfail").hidden;`)
			if got := strings.ReplaceAll(b.Text("#printfail-text"), "\u00a0", " "); got != "Une impression sur l'imprimante lane1-printer n'a pas pu être faite." {
				t.Errorf("plain failure banner %q", got)
			}
		})
	}
}
