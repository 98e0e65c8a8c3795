package agent

import (
	"fmt"
	"slices"

	"github.com/storeagent/storeagent/pos"
)

// POSConfig is the pos: key: how the web POS screen looks for this store.
type POSConfig struct {
	// QuickKeys are the SKUs of the store's top products, shown as big tiles in this order. A SKU
	// the catalogue does not have (yet) or no longer sells shows no tile.
	QuickKeys []string `yaml:"quick_keys"`
}

// validatePOS checks the pos: key.
func (c *Config) validatePOS(ps *configProblems) {
	q := c.POS.QuickKeys
	if len(q) > pos.MaxQuickKeys {
		ps.add("pos.quick_keys", fmt.Sprintf("%d SKUs; at most %d", len(q), pos.MaxQuickKeys))
	}
	for i, sku := range q {
		p := fmt.Sprintf("pos.quick_keys[%d]", i)
		switch {
		case sku == "" || len(sku) > 64:
			ps.add(p, fmt.Sprintf("%q is not a SKU (1..64 bytes)", sku))
		case slices.Index(q, sku) != i:
			ps.add(p, fmt.Sprintf("%q is listed twice", sku))
		}
	}
}
