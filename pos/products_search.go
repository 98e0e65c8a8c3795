package pos

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Product search by name and the store's quick keys, for the POS screen's tiles.

const (
	// searchMaxQuery is the longest search text, in characters.
	searchMaxQuery = 64
	// searchMaxWords is how many words a search may have; each must appear in the name or SKU.
	searchMaxWords = 5
	// searchDefaultLimit and searchMaxLimit bound the results of one search.
	searchDefaultLimit = 12
	searchMaxLimit     = 24
	// MaxQuickKeys is how many quick keys a store may configure (pos.quick_keys).
	MaxQuickKeys = 24
)

// ProductList is the answer of GET /api/v1/products and GET /api/v1/pos/quick-keys.
type ProductList struct {
	Products []Product `json:"products"`
}

// SearchProducts returns the active products whose name or SKU contains every word of q (case
// folded for ASCII, as SQLite's LIKE does), by name, at most limit of them.
func (s *Service) SearchProducts(ctx context.Context, q string, limit int) ([]Product, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, badRequest("q: give the text to search for")
	}
	if n := utf8.RuneCountInString(q); n > searchMaxQuery || !utf8.ValidString(q) {
		return nil, badRequest("q: at most %d characters of UTF-8 text", searchMaxQuery)
	}
	words := strings.Fields(q)
	if len(words) > searchMaxWords {
		return nil, badRequest("q: at most %d words", searchMaxWords)
	}
	if limit < 1 || limit > searchMaxLimit {
		return nil, badRequest("limit: %d is outside 1..%d", limit, searchMaxLimit)
	}
	var where strings.Builder
	args := []any{}
	for _, w := range words {
		// LIKE's own wildcards in the text are searched for as themselves.
		pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w) + "%"
		args = append(args, pat)
		n := strconv.Itoa(len(args))
		where.WriteString(` AND (p.name LIKE ?` + n + ` ESCAPE '\' OR p.sku LIKE ?` + n + ` ESCAPE '\')`)
	}
	args = append(args, limit)
	rows, err := s.r().QueryContext(ctx, `SELECT `+productCols+`
		FROM products p LEFT JOIN stock s ON s.sku = p.sku
		WHERE p.active = 1`+where.String()+` ORDER BY p.name, p.sku LIMIT ?`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Product{}
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// QuickKeys returns the configured quick keys' products in their order; a SKU the replica does
// not have (yet) or no longer sells is left out, so the tiles never offer what cannot be sold.
func (s *Service) QuickKeys(ctx context.Context) ([]Product, error) {
	out := []Product{}
	for _, sku := range *s.quickKeys.Load() {
		p, err := productBySKU(ctx, s.r(), sku)
		if err != nil || !p.Active {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Server) searchProducts(w http.ResponseWriter, r *http.Request, _ Terminal) {
	limit := searchDefaultLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(w, badRequest("limit: %q is not a number", truncate(v, 20)))
			return
		}
		limit = n
	}
	ps, err := s.svc.SearchProducts(r.Context(), r.URL.Query().Get("q"), limit)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ProductList{Products: ps})
}

func (s *Server) quickKeys(w http.ResponseWriter, r *http.Request, _ Terminal) {
	ps, err := s.svc.QuickKeys(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ProductList{Products: ps})
}
