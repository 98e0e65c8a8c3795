package pos

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	stdsync "sync"
	"time"

	"github.com/storeagent/storeagent/scanner"
)

// webFS holds the pages' templates, styles and scripts; nothing is fetched from elsewhere.
//
//go:embed web
var webFS embed.FS

// PageOptions configures the shopper's aisle page, the web POS screen and the shelf labels.
type PageOptions struct {
	// StoreName is shown in page titles and on labels.
	StoreName string
	// Locale is the store's BCP 47 locale ("it-IT"): the aisle page's language when the shopper's
	// Accept-Language names none of it, fr, fi and en, and the labels' language.
	Locale string
	// Currency is the ISO 4217 code of prices ("EUR").
	Currency string
	// WebshopProductURL is links.webshop_product: "{gtin}" is replaced by the item's GTIN-14.
	// Empty: no web-shop link.
	WebshopProductURL string
	// AisleBase is links.aisle_base, what label QR codes point to ("http://store.local:8080").
	AisleBase string
	// RatePerIP and BurstPerIP bound public page requests per client IP (token bucket);
	// zero values mean 50 per second with bursts of 200 (a guest Wi-Fi behind NAT is one IP for
	// every shopper). A negative rate turns the limit off.
	RatePerIP  float64
	BurstPerIP int
	// Now is the clock of the rate limiter (nil: time.Now).
	Now func() time.Time
}

// pages serves the HTML pages over a Service.
type pages struct {
	svc     *Service
	opts    PageOptions
	locs    *pageLocales
	tmpl    *template.Template
	limit   *ipLimiter
	static  fs.FS
	labeler *Labeler
	bufPool stdsync.Pool
}

// RegisterPages adds the public aisle pages (GET /p/{code}, GET /01/{gtin} and GS1 Digital Link
// paths under it), the web POS screen (GET /pos and its assets under /web/) and the staff label
// sheet (GET /api/v1/labels, auth) to srv. It fails on a bad locale, currency or template.
func RegisterPages(srv *Server, svc *Service, opts PageOptions) error {
	p, err := newPages(svc, opts)
	if err != nil {
		return err
	}
	srv.Handle("GET /p/{code}", false, func(w http.ResponseWriter, r *http.Request, _ Terminal) {
		p.aisle(w, r, r.PathValue("code"))
	})
	srv.Handle("GET /01/{gtin}", false, func(w http.ResponseWriter, r *http.Request, _ Terminal) {
		p.aisle(w, r, r.PathValue("gtin"))
	})
	srv.Handle("GET /01/{gtin}/{rest...}", false, func(w http.ResponseWriter, r *http.Request, _ Terminal) {
		p.aisle(w, r, r.PathValue("gtin"))
	})
	srv.Handle("GET /pos", false, func(w http.ResponseWriter, r *http.Request, _ Terminal) { p.posScreen(w, r) })
	srv.Handle("GET /web/{file}", false, func(w http.ResponseWriter, r *http.Request, _ Terminal) { p.asset(w, r) })
	srv.Handle("GET /api/v1/labels", true, p.labelSheet)
	registerReceiptLookup(srv, svc)
	registerDisplay(srv, p)
	return nil
}

func newPages(svc *Service, opts PageOptions) (*pages, error) {
	if opts.Currency == "" {
		opts.Currency = svc.opts.Currency
	}
	locs, err := newPageLocales(opts.Locale, opts.Currency)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("").ParseFS(webFS, "web/*.html")
	if err != nil {
		return nil, fmt.Errorf("page templates: %w", err)
	}
	static, err := fs.Sub(webFS, "web")
	if err != nil {
		return nil, fmt.Errorf("page assets: %w", err)
	}
	rate, burst := opts.RatePerIP, opts.BurstPerIP
	if rate == 0 {
		rate = 50
	}
	if burst <= 0 {
		burst = 200
	}
	lab, err := NewLabeler(opts)
	if err != nil {
		return nil, err
	}
	p := &pages{svc: svc, opts: opts, locs: locs, tmpl: tmpl, static: static, labeler: lab,
		limit: newIPLimiter(rate, burst, opts.Now)}
	p.bufPool.New = func() any { return new(bytes.Buffer) }
	return p, nil
}

// pageHeaders are sent with every HTML page: no third-party content can load, and nothing a
// shopper sees is cached by a shared proxy (prices change).
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

// aisleView is what the aisle template shows. It carries no customer data: only catalogue and
// stock facts.
type aisleView struct {
	Lang, Store, Title string
	T                  pageText
	Found              bool
	Inactive           bool
	Name, Price, Unit  string
	UnitPrice          string
	// Regular and Lowest30 are set when a promotion lowers the price: the shelf price, and the
	// lowest price of the 30 days before the reduction, in words.
	Regular, Lowest30 string
	StockWords        string
	StockLevel        string
	Available         int64
	GTIN              string
	Alternatives      []altView
	WebshopURL        string
}

type altView struct {
	Name, Price, Href string
}

// aisle renders the aisle page for code, or the friendly not-found page with status 404.
func (p *pages) aisle(w http.ResponseWriter, r *http.Request, code string) {
	loc := p.locs.pick(r.Header.Get("Accept-Language"))
	w.Header().Set("Vary", "Accept-Language")
	if !p.limit.allow(clientIP(r)) {
		w.Header().Set("Retry-After", "1")
		pageHeaders(w)
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, "<!doctype html><html lang=%q><title>429</title><p>%s</p></html>", loc.trimLang(), template.HTMLEscapeString(loc.text.TooMany))
		return
	}
	v := aisleView{Lang: loc.trimLang(), Store: p.opts.StoreName, T: loc.text}
	prod, err := p.svc.Lookup(r.Context(), code)
	var re *RequestError
	switch {
	case errors.As(err, &re) && re.Status == http.StatusNotFound:
		v.Title = loc.text.NotFoundTitle
		v.Inactive = re.Code == "inactive"
		p.render(w, http.StatusNotFound, "aisle.html", v)
		return
	case err != nil:
		p.svc.log.Error("aisle page", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	v.Found = true
	v.Title, v.Name = prod.Name, prod.Name
	v.Price = loc.money(prod.PriceMinor)
	if prod.Weighed() {
		v.Price += "/kg"
	}
	v.UnitPrice = loc.unitPrice(prod, prod.PriceMinor)
	if red, ok, err := p.svc.ReductionOf(r.Context(), prod); err != nil {
		p.svc.log.Warn("aisle reduction", "err", err)
	} else if ok {
		suffix := ""
		if prod.Weighed() {
			suffix = "/kg"
		}
		v.Regular, v.Price = v.Price, loc.money(red.PriceMinor)+suffix
		v.UnitPrice = loc.unitPrice(prod, red.PriceMinor) // the unit price of the price paid
		v.Lowest30 = fmt.Sprintf(loc.text.Lowest30, loc.money(red.LowestMinor)+suffix)
	}
	v.StockWords, v.StockLevel = loc.stockWords(prod)
	v.Available = max(prod.Stock.Available, 0)
	v.GTIN = prod.GTIN
	if v.StockLevel == "out" {
		alts, err := p.svc.Alternatives(r.Context(), prod.SKU, prod.Category, 3)
		if err != nil {
			p.svc.log.Warn("aisle alternatives", "err", err)
		}
		for _, a := range alts {
			v.Alternatives = append(v.Alternatives, altView{Name: a.Name, Price: loc.money(a.PriceMinor), Href: aisleHref(a)})
		}
		v.WebshopURL = p.webshopURL(prod.GTIN)
	}
	p.render(w, http.StatusOK, "aisle.html", v)
}

// aisleHref is the local aisle path of a product: by GTIN when it has one, else by SKU.
func aisleHref(p Product) string {
	if p.GTIN != "" {
		return "/p/" + p.GTIN
	}
	return "/p/" + url.PathEscape(p.SKU)
}

// webshopURL fills links.webshop_product with the GTIN-14; "" when either is missing or the
// result is not an http(s) URL.
func (p *pages) webshopURL(gtin string) string {
	if p.opts.WebshopProductURL == "" || gtin == "" {
		return ""
	}
	if g, err := scanner.GTIN14(gtin); err == nil {
		gtin = g
	}
	u := strings.ReplaceAll(p.opts.WebshopProductURL, "{gtin}", url.PathEscape(gtin))
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	return u
}

// render executes a template into a pooled buffer, so a template error never sends half a page.
func (p *pages) render(w http.ResponseWriter, status int, name string, v any) {
	buf := p.bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer p.bufPool.Put(buf)
	if err := p.tmpl.ExecuteTemplate(buf, name, v); err != nil {
		p.svc.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pageHeaders(w)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// posScreen serves the cashier's screen; it logs in and talks to the JSON API by itself.
func (p *pages) posScreen(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "pos.html", p.posView())
}

// posView is what the POS template needs: the store's locale (the screen's language and money
// format, as on the receipt), its notes and coins for the counting grids and the till's limit.
type posView struct {
	Store, Currency, Lang, Locale, Denoms string
	MaxDiff                               int64
	Display                               bool
}

func (p *pages) posView() posView {
	denoms := p.svc.opts.Till.Denominations
	if len(denoms) == 0 {
		denoms = []int64{50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1}
	}
	ds := make([]string, len(denoms))
	for i, d := range denoms {
		ds[i] = strconv.FormatInt(d, 10)
	}
	loc := p.opts.Locale
	if loc == "" {
		loc = "en"
	}
	lang, _, _ := strings.Cut(loc, "-")
	return posView{Store: p.opts.StoreName, Currency: p.opts.Currency, Lang: strings.ToLower(lang), Locale: loc,
		Denoms: strings.Join(ds, ","), MaxDiff: p.svc.opts.Till.MaxDifferenceMinor}
}

// asset serves a script or style from web/ (templates are not served).
func (p *pages) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	var ctype string
	switch {
	case strings.HasSuffix(name, ".js"):
		ctype = "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		ctype = "text/css; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(p.static, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}
