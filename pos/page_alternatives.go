package pos

import (
	"context"
	"fmt"
)

// Alternatives returns up to n active products of category other than sku that are in stock
// (available > 0), nearest in price to sku first then by name, for the aisle page of an item that is out
// of stock. It reads the replica through the read pool, so it answers when central is down.
func (s *Service) Alternatives(ctx context.Context, sku, category string, n int) ([]Product, error) {
	if n <= 0 || category == "" {
		return nil, nil
	}
	rows, err := s.r().QueryContext(ctx, `SELECT `+productCols+`
		FROM products p JOIN stock s ON s.sku = p.sku
		WHERE p.category = ?1 AND p.active = 1 AND p.sku <> ?2 AND s.on_hand - s.reserved > 0
		ORDER BY abs(p.price_minor - coalesce((SELECT price_minor FROM products WHERE sku = ?2), 0)), p.name
		LIMIT ?3`, category, sku, n)
	if err != nil {
		return nil, fmt.Errorf("alternatives for %s: %w", sku, err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("alternatives for %s: %w", sku, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("alternatives for %s: %w", sku, err)
	}
	return out, nil
}
