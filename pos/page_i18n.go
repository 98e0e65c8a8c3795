package pos

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/language"

	"github.com/storeagent/storeagent/pos/receipt"
)

// pageLangs are the languages the shopper pages speak, in matcher order (English first is the
// matcher's fallback, replaced by the store locale in pageLocales.pick).
var pageLangs = []string{"en", "it", "fr", "fi"}

// pageText is the message table of one page language.
type pageText struct {
	InStock, OnlyLeft, OutOfStock, PerKg, PerLitre, Alternatives, BuyOnline, ScanAnother,
	ScanSubmit, NotFoundTitle, NotFoundBody, Inactive, Each, Price, Stock, TooMany string
	// Lowest30 takes the lowest price of the 30 days before a reduction (98/6/EC art. 6a).
	Lowest30 string
}

// pageTexts holds it, fr, fi and en. OnlyLeft takes the count.
var pageTexts = map[string]pageText{
	"en": {InStock: "In stock", OnlyLeft: "Only %d left", OutOfStock: "Out of stock", PerKg: "per kg",
		PerLitre: "per litre", Alternatives: "Similar items in stock", BuyOnline: "Buy online or have it delivered",
		ScanAnother: "Scan another product", ScanSubmit: "Look up", NotFoundTitle: "Product not found",
		NotFoundBody: "We could not find this code in our store. Please ask a member of staff.",
		Inactive:     "This product is no longer sold here.", Each: "each", Price: "Price", Stock: "Availability",
		TooMany: "Too many requests, please wait a moment.", Lowest30: "Lowest price in the 30 days before the reduction: %s"},
	"it": {InStock: "Disponibile", OnlyLeft: "Solo %d rimasti", OutOfStock: "Esaurito", PerKg: "al kg",
		PerLitre: "al litro", Alternatives: "Prodotti simili disponibili", BuyOnline: "Acquista online o ricevilo a casa",
		ScanAnother: "Scansiona un altro prodotto", ScanSubmit: "Cerca", NotFoundTitle: "Prodotto non trovato",
		NotFoundBody: "Non troviamo questo codice nel nostro negozio. Chiedi al personale.",
		Inactive:     "Questo prodotto non è più in vendita.", Each: "cad.", Price: "Prezzo", Stock: "Disponibilità",
		TooMany: "Troppe richieste, attendi un momento.", Lowest30: "Prezzo più basso dei 30 giorni precedenti la riduzione: %s"},
	"fr": {InStock: "En stock", OnlyLeft: "Plus que %d", OutOfStock: "Épuisé", PerKg: "le kg",
		PerLitre: "le litre", Alternatives: "Produits similaires en stock", BuyOnline: "Acheter en ligne ou se faire livrer",
		ScanAnother: "Scanner un autre produit", ScanSubmit: "Rechercher", NotFoundTitle: "Produit introuvable",
		NotFoundBody: "Ce code est inconnu dans notre magasin. Demandez à un vendeur.",
		Inactive:     "Ce produit n’est plus vendu ici.", Each: "l’unité", Price: "Prix", Stock: "Disponibilité",
		TooMany: "Trop de requêtes, veuillez patienter.", Lowest30: "Prix le plus bas des 30 jours précédant la réduction : %s"},
	"fi": {InStock: "Varastossa", OnlyLeft: "Vain %d jäljellä", OutOfStock: "Loppunut", PerKg: "/kg",
		PerLitre: "/l", Alternatives: "Samankaltaisia tuotteita varastossa", BuyOnline: "Osta verkosta tai tilaa kotiin",
		ScanAnother: "Skannaa toinen tuote", ScanSubmit: "Hae", NotFoundTitle: "Tuotetta ei löytynyt",
		NotFoundBody: "Tätä koodia ei löydy myymälästämme. Kysy henkilökunnalta.",
		Inactive:     "Tätä tuotetta ei enää myydä.", Each: "kpl", Price: "Hinta", Stock: "Saatavuus",
		TooMany: "Liikaa pyyntöjä, odota hetki.", Lowest30: "Alin hinta alennusta edeltäneiden 30 päivän aikana: %s"},
}

// pageLocale formats for one page language: its texts, and money with the language's separators.
type pageLocale struct {
	lang  string
	text  pageText
	money func(minor int64) string // the receipt's money format for this language
}

// pageLocales picks the page language from Accept-Language with the store locale as fallback.
type pageLocales struct {
	matcher language.Matcher
	byLang  map[string]*pageLocale
	store   *pageLocale
}

// newPageLocales builds the four locales for currency cur; storeLocale ("it-IT") is the fallback.
func newPageLocales(storeLocale, cur string) (*pageLocales, error) {
	pl := &pageLocales{byLang: map[string]*pageLocale{}}
	tags := make([]language.Tag, len(pageLangs))
	for i, l := range pageLangs {
		tags[i] = language.MustParse(l)
		m, err := receipt.NewMoney(l, cur)
		if err != nil {
			return nil, fmt.Errorf("page currency: %w", err)
		}
		pl.byLang[l] = &pageLocale{lang: l, text: pageTexts[l], money: m.Format}
	}
	pl.matcher = language.NewMatcher(tags)
	pl.store = pl.byLang["en"]
	if storeLocale != "" {
		tag, err := language.Parse(storeLocale)
		if err != nil {
			return nil, fmt.Errorf("page locale %q: %w", storeLocale, err)
		}
		base, _ := tag.Base()
		if l, ok := pl.byLang[base.String()]; ok {
			pl.store = l
		}
	}
	return pl, nil
}

// pick returns the locale for an Accept-Language header: the best supported match, or the store
// locale when the header names none of it, fr, fi and en.
func (pl *pageLocales) pick(acceptLanguage string) *pageLocale {
	if acceptLanguage == "" || len(acceptLanguage) > 256 {
		return pl.store
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return pl.store
	}
	_, idx, conf := pl.matcher.Match(prefs...)
	if conf == language.No {
		return pl.store
	}
	return pl.byLang[pageLangs[idx]]
}

// unitPrice returns the price per kg or per litre of a packaged item ("9,96 € al kg"), and "" for
// items sold by the piece or by weight (whose price already is per kg).
func (l *pageLocale) unitPrice(p Product, priceMinor int64) string {
	per, ok := UnitPriceMinor(p, priceMinor)
	if !ok {
		return ""
	}
	word := l.text.PerKg
	if p.Unit == "l" {
		word = l.text.PerLitre
	}
	if strings.HasPrefix(word, "/") {
		return l.money(per) + word // fi "4,98 €/kg": a slash unit takes no space
	}
	return l.money(per) + " " + word
}

// UnitPriceMinor is the price per kg or per litre (Directive 98/6/EC) of a packed item that costs
// priceMinor: the shelf price, or the promotion's price when one lowers it. It is exact to the
// cent: the net content is taken to the gram or millilitre (half up), and priceMinor × 1000 ÷ that
// is rounded half up. ok is false for weighed items (their price is already per kg), items sold
// by the piece and items without a net content.
func UnitPriceMinor(p Product, priceMinor int64) (per int64, ok bool) {
	if p.Weighed() || p.NetContent == nil || *p.NetContent <= 0 || p.Unit == "each" || priceMinor < 0 {
		return 0, false
	}
	milli := int64(math.Round(*p.NetContent * 1000))
	if milli <= 0 {
		return 0, false
	}
	return (2*priceMinor*1000 + milli) / (2 * milli), true
}

// stockWords says how many are available in words: in stock, only N left (five or fewer pieces),
// or out of stock. Weighed stock is in grams, so it has no "only N left".
func (l *pageLocale) stockWords(p Product) (words string, level string) {
	avail := p.Stock.Available
	switch {
	case avail <= 0:
		return l.text.OutOfStock, "out"
	case avail <= 5 && !p.Weighed():
		return fmt.Sprintf(l.text.OnlyLeft, avail), "low"
	}
	return l.text.InStock, "in"
}

// trimLang is the two-letter code used in the page's lang attribute.
func (l *pageLocale) trimLang() string { return strings.ToLower(l.lang) }
