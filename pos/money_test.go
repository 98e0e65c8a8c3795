package pos

import (
	"errors"
	"testing"
)

func TestTaxOf(t *testing.T) {
	tests := []struct {
		name      string
		gross, bp int64
		want      int64
	}{
		{"IT 22% of 1.22", 122, 2200, 22},
		{"IT 22% of 4.98", 498, 2200, 90}, // 498*2200/12200 = 89.80 -> 90
		{"IT 10% of 2.49", 249, 1000, 23}, // 22.636 -> 23
		{"IT 4% of 1.30", 130, 400, 5},    // 5.0
		{"FR 5.5% of 2.11", 211, 550, 11}, // 11.0
		{"FI 14% of 3.99", 399, 1400, 49}, // 49.0
		{"FI 25.5% of 10.00", 1000, 2550, 203},
		{"exact half rounds up", 3, 2000, 1},  // 3*2000/12000 = 0.5 -> 1
		{"exact 2.5 rounds up", 15, 2000, 3},  // 2.5 -> 3
		{"just under half", 29, 2200, 5},      // 5.229 -> 5
		{"refund half mirrors", -3, 2000, -1}, // -0.5 -> -1
		{"zero rate", 999, 0, 0},
		{"zero gross", 0, 2200, 0},
		{"refund mirrors", -498, 2200, -90},
		{"big amount", 100_000_000_00, 2200, 1_803_278_689},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TaxOf(tt.gross, tt.bp); got != tt.want {
				t.Errorf("TaxOf(%d, %d) = %d, want %d", tt.gross, tt.bp, got, tt.want)
			}
		})
	}
}

func TestWeighedAmount(t *testing.T) {
	tests := []struct{ perKg, g, want int64 }{
		{1990, 1000, 1990},
		{1990, 500, 995},
		{1990, 333, 663},   // 662.67 -> 663
		{2999, 125, 375},   // 374.875 -> 375
		{1000, 1, 1},       // 1.0
		{999, 1, 1},        // 0.999 -> 1
		{400, 1, 0},        // 0.4 -> 0
		{500, 1, 1},        // 0.5 -> 1 (half up)
		{3590, 1234, 4430}, // 4430.06
	}
	for _, tt := range tests {
		if got := WeighedAmount(tt.perKg, tt.g); got != tt.want {
			t.Errorf("WeighedAmount(%d, %d) = %d, want %d", tt.perKg, tt.g, got, tt.want)
		}
	}
}

func TestRoundToStep(t *testing.T) {
	tests := []struct{ amount, step, want int64 }{
		{1001, 5, 1000}, {1002, 5, 1000}, {1003, 5, 1005}, {1004, 5, 1005}, {1005, 5, 1005},
		{1007, 5, 1005}, {1008, 5, 1010}, {1049, 10, 1050}, {1045, 10, 1050}, {1044, 10, 1040},
		{1003, 0, 1003}, {1003, 1, 1003}, {0, 5, 0},
	}
	for _, tt := range tests {
		if got := RoundToStep(tt.amount, tt.step); got != tt.want {
			t.Errorf("RoundToStep(%d, %d) = %d, want %d", tt.amount, tt.step, got, tt.want)
		}
	}
}

func TestTaxes(t *testing.T) {
	lines := []Line{
		{AmountMinor: 498, TaxRateBP: 2200},
		{AmountMinor: 130, TaxRateBP: 400},
		{AmountMinor: 249, TaxRateBP: 1000},
		{AmountMinor: 122, TaxRateBP: 2200},
	}
	taxes, total := Taxes(lines)
	want := []TaxLine{{400, 130, 5}, {1000, 249, 23}, {2200, 620, 112}}
	if len(taxes) != len(want) {
		t.Fatalf("got %d rates, want %d: %+v", len(taxes), len(want), taxes)
	}
	for i := range want {
		if taxes[i] != want[i] {
			t.Errorf("rate %d: got %+v, want %+v", i, taxes[i], want[i])
		}
	}
	// Tax per rate is computed on the rate's sum, not summed per line (122→22 and 498→90 = 112, same here;
	// 3 × 1.01 at 22% is 0.55 on the sum but 3 × 0.18 = 0.54 per line).
	three, _ := Taxes([]Line{{AmountMinor: 101, TaxRateBP: 2200}, {AmountMinor: 101, TaxRateBP: 2200}, {AmountMinor: 101, TaxRateBP: 2200}})
	if three[0].TaxMinor != 55 {
		t.Errorf("tax on 3.03 at 22%%: got %d, want 55 (per rate, not per line)", three[0].TaxMinor)
	}
	if total != 140 {
		t.Errorf("total tax: got %d, want 140", total)
	}
	if empty, _ := Taxes(nil); empty == nil || len(empty) != 0 {
		t.Errorf("no lines: want an empty, non-nil list, got %#v", empty)
	}
}

func TestSettle(t *testing.T) {
	tests := []struct {
		name     string
		total    int64
		pays     []Payment
		step     int64
		want     Settlement
		wantCode string
	}{
		{"exact card", 1000, []Payment{{Method: "card", AmountMinor: 1000}}, 0, Settlement{DueMinor: 1000}, ""},
		{"cash with change", 1000, []Payment{{Method: "cash", AmountMinor: 2000}}, 0, Settlement{DueMinor: 1000, ChangeMinor: 1000}, ""},
		{"card over total", 1000, []Payment{{Method: "card", AmountMinor: 1001}}, 0, Settlement{}, "non_cash_overpayment"},
		{"voucher over total", 1000, []Payment{{Method: "voucher", AmountMinor: 1500}}, 0, Settlement{}, "non_cash_overpayment"},
		{"short card", 1000, []Payment{{Method: "card", AmountMinor: 999}}, 0, Settlement{}, "payments_short"},
		{"short cash", 1000, []Payment{{Method: "cash", AmountMinor: 999}}, 0, Settlement{}, "payments_short"},
		{"split card and cash", 1000, []Payment{{Method: "card", AmountMinor: 600}, {Method: "cash", AmountMinor: 500}}, 0, Settlement{DueMinor: 1000, ChangeMinor: 100}, ""},
		{"cash rounding down", 1002, []Payment{{Method: "cash", AmountMinor: 1000}}, 5, Settlement{RoundingMinor: -2, DueMinor: 1000}, ""},
		{"cash rounding up", 1003, []Payment{{Method: "cash", AmountMinor: 1010}}, 5, Settlement{RoundingMinor: 2, DueMinor: 1005, ChangeMinor: 5}, ""},
		{"cash rounding needs the rounded sum", 1003, []Payment{{Method: "cash", AmountMinor: 1003}}, 5, Settlement{}, "payments_short"},
		{"no rounding for card", 1003, []Payment{{Method: "card", AmountMinor: 1003}}, 5, Settlement{DueMinor: 1003}, ""},
		{"rounding on the cash part", 1003, []Payment{{Method: "card", AmountMinor: 500}, {Method: "cash", AmountMinor: 505}}, 5, Settlement{RoundingMinor: 2, DueMinor: 1005}, ""},
		{"unknown method", 1000, []Payment{{Method: "bitcoin", AmountMinor: 1000}}, 0, Settlement{}, "invalid_payment"},
		{"zero amount", 1000, []Payment{{Method: "cash", AmountMinor: 0}}, 0, Settlement{}, "invalid_payment"},
		{"negative amount", 1000, []Payment{{Method: "card", AmountMinor: -5}, {Method: "card", AmountMinor: 1005}}, 0, Settlement{}, "invalid_payment"},
		{"nothing to pay", 0, nil, 0, Settlement{}, ""},
		{"no payments", 1000, nil, 0, Settlement{}, "payments_short"},
		{"change at the bound", 1000, []Payment{{Method: "cash", AmountMinor: 1000 + maxChangeMinor}}, 0, Settlement{DueMinor: 1000, ChangeMinor: maxChangeMinor}, ""},
		{"10^9 € of change (issue 16)", 100, []Payment{{Method: "cash", AmountMinor: 100_000_000_000}}, 0, Settlement{}, "change_too_large"},
		{"one cent over the change bound", 1000, []Payment{{Method: "card", AmountMinor: 500}, {Method: "cash", AmountMinor: 500 + maxChangeMinor + 1}}, 0, Settlement{}, "change_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Settle(tt.total, tt.pays, tt.step)
			if tt.wantCode != "" {
				var re *RequestError
				if !errors.As(err, &re) || re.Code != tt.wantCode || re.Status != 422 {
					t.Fatalf("got err %v, want 422 %s", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
