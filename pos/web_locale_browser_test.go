package pos

import (
	"testing"

	"github.com/storeagent/storeagent/pos/browsertest"
)

// TestBrowser_POSLocales: the screen follows the store's locale, not the browser's (Chromium
// asks for en-US): French and Finnish stores get their language, <html lang> and money as on
// their receipts, and an empty-basket card payment explained in that language.
func TestBrowser_POSLocales(t *testing.T) {
	for _, tc := range []struct{ locale, lang, cashierLabel, total, empty string }{
		{"fr-FR", "fr", "Caissier", "4,98 €", "Le panier est vide"},
		{"fi-FI", "fi", "Kassanhoitaja", "4,98 €", "Ostoskori on tyhjä"},
		{"en-IE", "en", "Cashier", "€4.98", "The basket is empty"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			e := newPageEnv(t, func(o *PageOptions) { o.Locale = tc.locale })
			b := browsertest.New(t, 1024, 768)
			b.Open(e.srv.URL + "/pos")
			b.WaitFor("login form", `return !document.getElementById("login").hidden;`)
			var lang string
			b.Eval(`return document.documentElement.lang;`, &lang)
			if lang != tc.lang {
				t.Errorf("html lang %q, want %q", lang, tc.lang)
			}
			if got := b.Text(`label[for=cashier]`); got != tc.cashierLabel {
				t.Errorf("cashier label %q, want %q", got, tc.cashierLabel)
			}
			b.TypeInto("#token", tokenLane1)
			b.TypeInto("#cashier", "anna\ue007")
			b.WaitFor("till", `return !document.getElementById("till").hidden;`)
			b.TypeInto("#code", "\ue038") // F8 on an empty basket
			b.WaitFor("empty basket said", textHas("msg", tc.empty))
			b.TypeInto("#code", "8001234567903\ue007")
			b.WaitFor("total "+tc.total, textIs("total", tc.total))
			b.Screenshot("pos-" + tc.lang)
		})
	}
}
