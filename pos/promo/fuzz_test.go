package promo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzPrice feeds the engine arbitrary JSON baskets and promotions: it must never panic, and any
// basket it accepts must satisfy the invariants.
func FuzzPrice(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*.json")
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var in struct {
			Basket     Basket      `json:"basket"`
			Promotions []Promotion `json:"promotions"`
		}
		if json.Unmarshal(raw, &in) != nil {
			return
		}
		r, err := Price(in.Basket, in.Promotions)
		if err != nil {
			return
		}
		checkInvariants(t, in.Basket, r)
	})
}
