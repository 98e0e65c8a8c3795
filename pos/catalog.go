package pos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/storeagent/storeagent/scanner"
)

// Product is an item of the replica as the product lookup returns it.
type Product struct {
	SKU        string     `json:"sku"`
	Name       string     `json:"name"`
	GTIN       string     `json:"gtin"`
	GTINs      []string   `json:"gtins,omitempty"`
	PriceMinor int64      `json:"price_minor"`
	Currency   string     `json:"currency"`
	TaxRateBP  int64      `json:"tax_rate_bp"`
	Unit       string     `json:"unit"`
	NetContent *float64   `json:"net_content,omitempty"`
	Category   string     `json:"category"`
	Active     bool       `json:"active"`
	Version    int64      `json:"version,omitempty"`
	Stock      StockLevel `json:"stock"`
	CatalogSeq int64      `json:"catalog_seq"`
	Embedded   *Embedded  `json:"embedded,omitempty"`
	// reduction is set by the label sheet when a promotion lowers the price (nil: none).
	reduction *Reduction
}

// Weighed reports whether the item is sold by weight: priced per kg with no fixed net content.
func (p Product) Weighed() bool { return p.Unit == "kg" && p.NetContent == nil }

// Embedded is the price or weight carried in a variable-measure barcode.
type Embedded struct {
	PriceMinor *int64 `json:"price_minor,omitempty"`
	WeightG    *int64 `json:"weight_g,omitempty"`
}

// EmbeddedCode is what a variable-measure (RCN, prefix 2x) EAN-13 decodes to: the GTIN-14 under
// which the replica stores the item (value digits zeroed) and the price or weight it carries.
type EmbeddedCode struct {
	LookupGTIN string
	Embedded   Embedded
}

// EmbeddedParser decodes a variable-measure code with the store's rcn_region layouts; ok is false
// for codes that are not variable-measure in this region.
type EmbeddedParser func(code string) (EmbeddedCode, bool)

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// dbtx is a write transaction (a *sql.Tx, or a db.Conn over one with cached statements).
type dbtx interface {
	querier
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const productCols = `p.sku, p.name, p.price_minor, p.currency, p.tax_rate_bp, p.unit, p.net_content,
	p.category, p.active, p.version,
	coalesce(s.on_hand, 0), coalesce(s.reserved, 0),
	coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'catalog_seq'), 0),
	coalesce((SELECT min(gtin) FROM product_gtins g WHERE g.sku = p.sku), '')`

func scanProduct(row interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var active int64
	var net sql.NullFloat64
	err := row.Scan(&p.SKU, &p.Name, &p.PriceMinor, &p.Currency, &p.TaxRateBP, &p.Unit, &net,
		&p.Category, &active, &p.Version, &p.Stock.OnHand, &p.Stock.Reserved, &p.CatalogSeq, &p.GTIN)
	if err != nil {
		return p, err
	}
	p.Active = active != 0
	if net.Valid {
		v := net.Float64
		p.NetContent = &v
	}
	p.Stock.Available = SatAdd(p.Stock.OnHand, -p.Stock.Reserved)
	return p, nil
}

// productBy reads one product by SKU.
func productBySKU(ctx context.Context, q querier, sku string) (Product, error) {
	return scanProduct(q.QueryRowContext(ctx, `SELECT `+productCols+`
		FROM products p LEFT JOIN stock s ON s.sku = p.sku WHERE p.sku = ?1`, sku))
}

func productByGTIN(ctx context.Context, q querier, gtin string) (Product, error) {
	p, err := scanProduct(q.QueryRowContext(ctx, `SELECT `+productCols+`
		FROM product_gtins g JOIN products p ON p.sku = g.sku LEFT JOIN stock s ON s.sku = p.sku
		WHERE g.gtin = ?1`, gtin))
	if err == nil {
		p.GTIN = gtin
	}
	return p, err
}

// resolve finds the product a code names: a GTIN/EAN/UPC (compared as GTIN-14), a variable-measure
// code of the store's region, or a SKU. Inactive products are returned with Active false; callers
// decide. A code that names nothing is a *RequestError with code not_found.
func (s *Service) resolve(ctx context.Context, q querier, code string) (Product, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return Product{}, reqErr(http.StatusNotFound, "not_found", "no product for code %q", truncate(code, 40))
	}
	var p Product
	err := sql.ErrNoRows
	if s.opts.ParseEmbedded != nil {
		if ec, ok := s.opts.ParseEmbedded(code); ok {
			p, err = productByGTIN(ctx, q, ec.LookupGTIN)
			if err == nil {
				emb := ec.Embedded
				p.Embedded = &emb
			}
		}
	}
	var gerr error
	if errors.Is(err, sql.ErrNoRows) {
		var g string
		if g, gerr = scanner.GTIN14(code); gerr == nil {
			p, err = productByGTIN(ctx, q, g)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		p, err = productBySKU(ctx, q, code)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if errors.Is(gerr, scanner.ErrCheckDigit) {
			return Product{}, checkDigitErr(code, gerr)
		}
		return Product{}, reqErr(http.StatusNotFound, "not_found", "no product for code %q", truncate(code, 40))
	}
	if err != nil {
		return Product{}, fmt.Errorf("look up %q: %w", truncate(code, 40), err)
	}
	return p, nil
}

// Lookup answers GET /api/v1/products/{code} from the read pool.
func (s *Service) Lookup(ctx context.Context, code string) (Product, error) {
	p, err := s.resolve(ctx, s.r(), code)
	if err != nil {
		return p, err
	}
	if !p.Active {
		return p, reqErr(http.StatusNotFound, "inactive", "product %s (%s) is no longer sold", p.SKU, p.Name)
	}
	return p, nil
}

// CatalogItem is an item as central sends it (and as the demo seeds it).
type CatalogItem struct {
	SKU           string   `json:"sku"`
	GTINs         []string `json:"gtins"`
	Name          string   `json:"name"`
	PriceMinor    int64    `json:"price_minor"`
	Currency      string   `json:"currency"`
	TaxRateBP     int64    `json:"tax_rate_bp"`
	Unit          string   `json:"unit"`
	NetContent    *float64 `json:"net_content,omitempty"`
	Category      string   `json:"category,omitempty"`
	Active        bool     `json:"active"`
	Version       int64    `json:"version"`
	EffectiveFrom string   `json:"effective_from,omitempty"`
}

// Validate checks an item's fields.
func (it CatalogItem) Validate() error {
	switch {
	case it.SKU == "" || len(it.SKU) > maxIDLen:
		return fmt.Errorf("sku %q: must be 1..%d characters", truncate(it.SKU, 80), maxIDLen)
	case it.Name == "":
		return fmt.Errorf("item %s: name is empty", it.SKU)
	case it.Version < 0 || it.Version > MaxVersion:
		return fmt.Errorf("item %s: version %d out of range [0, %d]", it.SKU, it.Version, int64(MaxVersion))
	case len(it.GTINs) > MaxGTINs:
		return fmt.Errorf("item %s: %d gtins, at most %d", it.SKU, len(it.GTINs), MaxGTINs)
	case it.PriceMinor < 0 || it.PriceMinor > maxAmountMinor:
		return fmt.Errorf("item %s: price_minor %d out of range", it.SKU, it.PriceMinor)
	case it.TaxRateBP < 0 || it.TaxRateBP > 10000:
		return fmt.Errorf("item %s: tax_rate_bp %d out of range", it.SKU, it.TaxRateBP)
	case it.Unit != "each" && it.Unit != "kg" && it.Unit != "l":
		return fmt.Errorf("item %s: unit %q is not one of each, kg, l", it.SKU, it.Unit)
	case len(it.Currency) != 3:
		return fmt.Errorf("item %s: currency %q is not an ISO 4217 code", it.SKU, it.Currency)
	case it.NetContent != nil && !(*it.NetContent > 0 && *it.NetContent <= MaxNetContent):
		return fmt.Errorf("item %s: net_content must be positive and at most %d", it.SKU, MaxNetContent)
	}
	if err := CheckText("item "+it.SKU+": name", it.Name, MaxNameBytes); err != nil {
		return err
	}
	if err := CheckText("item "+it.SKU+": category", it.Category, MaxTextBytes); err != nil {
		return err
	}
	for _, g := range it.GTINs {
		if _, err := scanner.GTIN14(g); err != nil {
			return fmt.Errorf("item %s: gtin %q is not a valid GTIN", it.SKU, truncate(g, 20))
		}
	}
	return nil
}

// UpsertItem writes one catalogue item in tx when its version is newer than the stored one (or
// force is set) and reports whether it changed anything. Its GTINs replace the stored ones.
func UpsertItem(ctx context.Context, tx dbtx, it CatalogItem, catalogSeq int64, force bool) (bool, error) {
	if err := it.Validate(); err != nil {
		return false, err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	var net any
	if it.NetContent != nil {
		net = *it.NetContent
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO products
		(sku, name, price_minor, currency, tax_rate_bp, unit, net_content, category, active, version, catalog_seq, updated_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
		ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
			currency = excluded.currency, tax_rate_bp = excluded.tax_rate_bp, unit = excluded.unit,
			net_content = excluded.net_content, category = excluded.category, active = excluded.active,
			version = excluded.version, catalog_seq = excluded.catalog_seq, updated_at = excluded.updated_at
		WHERE excluded.version > products.version OR ?13`,
		it.SKU, it.Name, it.PriceMinor, it.Currency, it.TaxRateBP, it.Unit, net, it.Category,
		boolInt(it.Active), it.Version, catalogSeq, now, force)
	if err != nil {
		return false, fmt.Errorf("upsert item %s: %w", it.SKU, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM product_gtins WHERE sku = ?1`, it.SKU); err != nil {
		return false, fmt.Errorf("upsert item %s: %w", it.SKU, err)
	}
	for _, g := range it.GTINs {
		g14, _ := scanner.GTIN14(g)
		if _, err := tx.ExecContext(ctx, `INSERT INTO product_gtins (gtin, sku) VALUES (?1, ?2)
			ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku`, g14, it.SKU); err != nil {
			return false, fmt.Errorf("upsert item %s gtin %s: %w", it.SKU, g14, err)
		}
	}
	return true, nil
}

// SeedCatalog writes items and their starting stock in one transaction (demo and tests; central's
// catalogue arrives through sync). stock maps SKU to on_hand.
func (s *Service) SeedCatalog(ctx context.Context, items []CatalogItem, stock map[string]int64) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, it := range items {
		if _, err := UpsertItem(ctx, tx, it, 0, true); err != nil {
			return err
		}
	}
	for sku, n := range stock {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stock (sku, on_hand) VALUES (?1, ?2)
			ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand`, sku, n); err != nil {
			return fmt.Errorf("seed stock %s: %w", sku, err)
		}
	}
	return tx.Commit()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
