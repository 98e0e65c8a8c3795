package scanner

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestRCNLayoutsFor(t *testing.T) {
	for _, region := range []string{"DE", "GB", "UK", "SE", "NO", "DK", "FI", "EE", "LV", "LT", "IT", "de", "se"} {
		t.Run(region, func(t *testing.T) {
			ls := RCNLayoutsFor(region)
			if len(ls) == 0 {
				t.Fatal("no layouts")
			}
			seen := map[string]bool{}
			for _, l := range ls {
				if err := l.Validate(); err != nil {
					t.Errorf("built-in layout: %v", err)
				}
				if seen[l.Prefix] {
					t.Errorf("prefix %s twice", l.Prefix)
				}
				seen[l.Prefix] = true
			}
		})
	}
	for _, region := range []string{"FR", "US", "", "xx"} {
		if ls := RCNLayoutsFor(region); ls != nil {
			t.Errorf("RCNLayoutsFor(%q) = %v, want nil", region, ls)
		}
	}
	t.Run("fresh-slice", func(t *testing.T) {
		a := RCNLayoutsFor("SE")
		a[0].Prefix = "99"
		if b := RCNLayoutsFor("SE"); b[0].Prefix != "20" {
			t.Errorf("changing a result changed the built-in table: %q", b[0].Prefix)
		}
	})
}

func TestRCNLayout_Validate(t *testing.T) {
	ok := RCNLayout{Prefix: "22", ItemStart: 2, ItemLen: 4, Kind: RCNPrice, ValueStart: 7, ValueLen: 5, ValueCheckPos: 6}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid layout: %v", err)
	}
	for _, c := range []struct {
		name string
		mod  func(*RCNLayout)
		want string
	}{
		{"prefix-not-2x", func(l *RCNLayout) { l.Prefix = "30" }, "prefix"},
		{"prefix-length", func(l *RCNLayout) { l.Prefix = "2" }, "prefix"},
		{"kind", func(l *RCNLayout) { l.Kind = "count" }, "kind"},
		{"item-past-end", func(l *RCNLayout) { l.ItemLen = 11 }, "item"},
		{"value-past-end", func(l *RCNLayout) { l.ValueLen = 6 }, "value"},
		{"value-in-prefix", func(l *RCNLayout) { l.ValueStart = 1 }, "value"},
		{"check-in-value", func(l *RCNLayout) { l.ValueCheckPos = 8 }, "value_check_pos"},
		{"check-on-check-digit", func(l *RCNLayout) { l.ValueCheckPos = 12 }, "value_check_pos"},
		{"check-needs-4-or-5", func(l *RCNLayout) { l.ValueStart, l.ValueLen = 8, 3 }, "4 or 5"},
		{"negative-multiplier", func(l *RCNLayout) { l.Multiplier = -1 }, "multiplier"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := ok
			c.mod(&l)
			err := l.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error about %s", err, c.want)
			}
		})
	}
}

// TestRCNLayout_YAML checks the field names the config's rcn_layouts uses.
func TestRCNLayout_YAML(t *testing.T) {
	src := `
- prefix: "21"
  item_start: 2
  item_len: 5
  kind: price
  value_start: 8
  value_len: 4
  value_check_pos: 7
- prefix: "27"
  item_start: 2
  item_len: 6
  kind: weight
  value_start: 8
  value_len: 4
  value_check_pos: -1
  multiplier: 10
`
	var got []RCNLayout
	if err := yaml.Unmarshal([]byte(src), &got); err != nil {
		t.Fatal(err)
	}
	want := []RCNLayout{
		{Prefix: "21", ItemStart: 2, ItemLen: 5, Kind: RCNPrice, ValueStart: 8, ValueLen: 4, ValueCheckPos: 7},
		{Prefix: "27", ItemStart: 2, ItemLen: 6, Kind: RCNWeight, ValueStart: 8, ValueLen: 4, ValueCheckPos: -1, Multiplier: 10},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// Layout 27 above: value digits 8-11 "0123" in units of 10 g.
	code := "271234560123" + string(mod10("271234560123"))
	r, ok, err := ParseRCN(code, got)
	if err != nil || !ok || r.WeightG == nil || *r.WeightG != 1230 {
		t.Errorf("ParseRCN(%s) = %+v, %v, %v; want 1230 g", code, r, ok, err)
	}
}

func TestParseRCN(t *testing.T) {
	se := RCNLayoutsFor("SE")
	t.Run("gtin14-form", func(t *testing.T) {
		r, ok, err := ParseRCN("02388060103489", se)
		if err != nil || !ok || *r.WeightG != 348 || r.LookupGTIN != "02388060100006" {
			t.Errorf("got %+v, %v, %v", r, ok, err)
		}
	})
	t.Run("not-prefix-2", func(t *testing.T) {
		if _, ok, err := ParseRCN("4006381333931", se); ok || err != nil {
			t.Errorf("got ok %v, err %v; want a plain code", ok, err)
		}
	})
	t.Run("no-layout", func(t *testing.T) {
		if _, ok, err := ParseRCN("2388060103489", nil); ok || err != nil {
			t.Errorf("got ok %v, err %v; want a plain code", ok, err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		for _, in := range []string{"", "238806010348", "238806010348X", "12388060103489"} {
			if _, ok, err := ParseRCN(in, se); ok || err == nil {
				t.Errorf("ParseRCN(%q): ok %v, err %v; want an error", in, ok, err)
			}
		}
	})
	t.Run("bad-ean-check", func(t *testing.T) {
		if _, ok, err := ParseRCN("2388060103488", se); !ok || !errors.Is(err, ErrCheckDigit) {
			t.Errorf("got ok %v, err %v; want ErrCheckDigit", ok, err)
		}
	})
	t.Run("bad-layout", func(t *testing.T) {
		bad := []RCNLayout{{Prefix: "23", Kind: "volume"}}
		if _, ok, err := ParseRCN("2388060103489", bad); !ok || err == nil {
			t.Errorf("got ok %v, err %v; want a layout error", ok, err)
		}
	})
	t.Run("bad-verifier", func(t *testing.T) {
		_, ok, err := ParseRCN("2211113002395", RCNLayoutsFor("DE"))
		if !ok || !errors.Is(err, ErrCheckDigit) {
			t.Errorf("got ok %v, err %v; want ErrCheckDigit", ok, err)
		}
	})
}

// TestPriceCheckDigit_AllValues checks the verifier tables against the
// digit-by-digit rules of GS1 General Specifications 7.9.2 for every digit.
func TestPriceCheckDigit_AllValues(t *testing.T) {
	rule := func(weight int, minus bool, d int) int {
		p := weight * d
		if weight == 3 {
			return p % 10
		}
		if minus {
			return ((p%10-p/10)%10 + 10) % 10
		}
		return (p%10 + p/10) % 10
	}
	for d := 0; d < 10; d++ {
		for _, c := range []struct {
			table  string
			weight int
			minus  bool
		}{
			{weight2Minus, 2, true}, {weight3, 3, false}, {weight5Plus, 5, false}, {weight5Minus, 5, true},
		} {
			if got, want := wt(c.table, byte(d)), rule(c.weight, c.minus, d); got != want {
				t.Errorf("weight %d (minus %v) of %d: table %d, rule %d", c.weight, c.minus, d, got, want)
			}
		}
	}
}
