package centralsim

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/storeagent/storeagent/pos"
)

// Checksums compare a store's replica with central's state: equal checksums mean the replica
// converged. Only what the contract makes the replica hold is hashed: for the catalogue the active
// items (sku, name, price, currency, tax, unit, net content, category, version, GTIN-14s); for
// stock, on_hand of the given SKUs.

func itemLine(sku, name string, price int64, currency string, tax int64, unit string, net *float64, category string, version int64, gtins []string) string {
	n := ""
	if net != nil {
		n = fmt.Sprintf("%g", *net)
	}
	sort.Strings(gtins)
	return fmt.Sprintf("%s|%s|%d|%s|%d|%s|%s|%s|%d|%s\n", sku, name, price, currency, tax, unit, n, category, version, strings.Join(gtins, ","))
}

func digest(lines []string) string {
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CatalogChecksum hashes the active items of a catalogue that are in effect at now.
func CatalogChecksum(items []pos.CatalogItem, now time.Time) string {
	var lines []string
	for _, it := range items {
		if !it.Active {
			continue
		}
		if it.EffectiveFrom != "" {
			if t, err := time.Parse(time.RFC3339Nano, it.EffectiveFrom); err == nil && t.After(now) {
				continue
			}
		}
		gt := make([]string, 0, len(it.GTINs))
		for _, g := range it.GTINs {
			g14, _ := pos.GTIN14(g)
			gt = append(gt, g14)
		}
		lines = append(lines, itemLine(it.SKU, it.Name, it.PriceMinor, it.Currency, it.TaxRateBP, it.Unit, it.NetContent, it.Category, it.Version, gt))
	}
	return digest(lines)
}

// Querier is what the replica checksums read through (the agent's db.R).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ReplicaCatalogChecksum hashes the active items of an agent's replica like CatalogChecksum.
func ReplicaCatalogChecksum(ctx context.Context, q Querier) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.sku, p.name, p.price_minor, p.currency, p.tax_rate_bp, p.unit,
		p.net_content, p.category, p.version, coalesce((SELECT group_concat(gtin) FROM product_gtins g WHERE g.sku = p.sku), '')
		FROM products p WHERE p.active = 1`)
	if err != nil {
		return "", fmt.Errorf("replica checksum: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var sku, name, currency, unit, category, gtins string
		var price, tax, version int64
		var net sql.NullFloat64
		if err := rows.Scan(&sku, &name, &price, &currency, &tax, &unit, &net, &category, &version, &gtins); err != nil {
			return "", err
		}
		var np *float64
		if net.Valid {
			np = &net.Float64
		}
		var gt []string
		if gtins != "" {
			gt = strings.Split(gtins, ",")
		}
		lines = append(lines, itemLine(sku, name, price, currency, tax, unit, np, category, version, gt))
	}
	return digest(lines), rows.Err()
}

// StockChecksum hashes on_hand per SKU.
func StockChecksum(onHand map[string]int64) string {
	lines := make([]string, 0, len(onHand))
	for sku, n := range onHand {
		lines = append(lines, fmt.Sprintf("%s=%d\n", sku, n))
	}
	return digest(lines)
}

// ReplicaStock reads on_hand of the given SKUs from an agent's replica (0 when it has no row).
func ReplicaStock(ctx context.Context, q Querier, skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	for _, sku := range skus {
		out[sku] = 0
	}
	rows, err := q.QueryContext(ctx, `SELECT sku, on_hand FROM stock`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sku string
		var n int64
		if err := rows.Scan(&sku, &n); err != nil {
			return nil, err
		}
		if _, ok := out[sku]; ok {
			out[sku] = n
		}
	}
	return out, rows.Err()
}

// ExpectedStock is rule 4 computed from central's side: per SKU the latest count (by as_of) plus
// every adjustment central sent and every movement the store reported that occurred after it
// (all of them when there is no count).
func (s *Sim) ExpectedStock(ctx context.Context, store string) (map[string]int64, error) {
	type delta struct {
		n  int64
		at time.Time
	}
	type count struct {
		n    int64
		asOf time.Time
	}
	deltas := map[string][]delta{}
	counts := map[string]count{}
	read := func(query string) error {
		rows, err := s.db.QueryContext(ctx, query, store)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var typ string
			var payload []byte
			if err := rows.Scan(&typ, &payload); err != nil {
				return err
			}
			var ev struct {
				Data struct {
					SKU        string `json:"sku"`
					Delta      int64  `json:"delta"`
					OccurredAt string `json:"occurred_at"`
					OnHand     int64  `json:"on_hand"`
					AsOf       string `json:"as_of"`
				} `json:"data"`
			}
			if err := json.Unmarshal(payload, &ev); err != nil {
				return err
			}
			d := ev.Data
			if typ == TypeStockCount {
				t, _ := time.Parse(time.RFC3339Nano, d.AsOf)
				if c, ok := counts[d.SKU]; !ok || !t.Before(c.asOf) {
					counts[d.SKU] = count{d.OnHand, t}
				}
				continue
			}
			t, _ := time.Parse(time.RFC3339Nano, d.OccurredAt)
			deltas[d.SKU] = append(deltas[d.SKU], delta{d.Delta, t})
		}
		return rows.Err()
	}
	if err := read(`SELECT type, payload FROM sent WHERE store = ?1 AND topic = 'stock' ORDER BY seq`); err != nil {
		return nil, err
	}
	if err := read(`SELECT type, payload FROM received WHERE store = ?1 AND topic = 'stock/movements'`); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for sku, c := range counts {
		out[sku] = c.n
	}
	for sku, ds := range deltas {
		c, hasCount := counts[sku]
		for _, d := range ds {
			if !hasCount || d.at.After(c.asOf) {
				out[sku] += d.n
			}
		}
	}
	return out, nil
}
