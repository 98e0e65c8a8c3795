package agent

import (
	"io"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestScanRouter_EmbeddedAlways checks that a scan event carries the price or weight of a
// variable-measure code whether or not the product is in the replica.
func TestScanRouter_EmbeddedAlways(t *testing.T) {
	cfg := testConfig(t) // it-IT: the Italian layout, 2 IIIIII PPPPP C with the price in cents
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	r := newScanRouter(cfg, a.POS, prometheus.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, tt := range []struct {
		name, code string
		found      bool
		price      int64
	}{
		{"known product", "2001000012343", true, 1234},    // IT-PARMIGIANO's 2001000 prefix, 12,34 €
		{"unknown product", "2999999012348", false, 1234}, // no such item in the replica
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := r.scanEvent("lane1-scanner", []byte(tt.code), nil)
			if !ev.Valid {
				t.Fatalf("scan %s not valid: %+v", tt.code, ev)
			}
			if (ev.Product != nil) != tt.found {
				t.Errorf("product %v; want found=%v", ev.Product, tt.found)
			}
			if ev.Embedded == nil || ev.Embedded.PriceMinor == nil || *ev.Embedded.PriceMinor != tt.price {
				t.Errorf("embedded %+v; want price_minor %d", ev.Embedded, tt.price)
			}
		})
	}
}
