package document

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPair_Lines(t *testing.T) {
	tests := []struct {
		name string
		p    Pair
		cols int
		want []string
	}{
		{"fits", Pair{Left: "Totale", Right: "4,98 €"}, 24, []string{"Totale            4,98 €"}},
		{"left wraps, right on its last line", Pair{Left: "Caffè espresso macinato 250 g", Right: "4,98 €"}, 24,
			[]string{"Caffè espresso", "macinato 250 g    4,98 €"}},
		{"a word too long beside right: right on its own line", Pair{Left: "Erikoispakkausperheelle", Right: "12,50 €"}, 24,
			[]string{"Erikoispakkausperheelle", "                 12,50 €"}},
		{"right as wide as the line wraps on its own", Pair{Left: "Sale", Right: strings.Repeat("x", 24)}, 24,
			[]string{"Sale", strings.Repeat("x", 24)}},
		{"empty left", Pair{Right: "1,00 €"}, 24, []string{"                  1,00 €"}},
		{"a newline in right stays on the line", Pair{Left: "A", Right: "1\n2"}, 24, []string{"A                    1 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Lines(tc.cols); !slices.Equal(got, tc.want) {
				t.Errorf("Lines(%d) = %q, want %q", tc.cols, got, tc.want)
			}
		})
	}
	if !(Pair{Right: strings.Repeat("x", 24)}).Overflows(24) || (Pair{Right: strings.Repeat("x", 23)}).Overflows(24) {
		t.Errorf("Overflows: want true from the line's width on")
	}
}

func TestRow_Line(t *testing.T) {
	tests := []struct {
		cells []string
		cols  int
		want  string
	}{
		// 32 columns: the label gets 8, each amount 12, right-aligned.
		{[]string{"IVA", "Lordo", "Imposta"}, 32, "IVA" + strings.Repeat(" ", 12) + "Lordo" + strings.Repeat(" ", 5) + "Imposta"},
		{[]string{"10%", "14,96 €", "1,36 €"}, 24, "10%      14,96 €  1,36 €"},
		{[]string{"a", "b"}, 24, "a" + strings.Repeat(" ", 22) + "b"},
		{[]string{"only"}, 24, "only"},
		{nil, 24, ""},
		{[]string{strings.Repeat("w", 30), "1", "2"}, 24, strings.Repeat("w", 24)},
	}
	for _, tc := range tests {
		if got := (Row{Cells: tc.cells}).Line(tc.cols); got != tc.want {
			t.Errorf("Row%q.Line(%d) = %q, want %q", tc.cells, tc.cols, got, tc.want)
		}
	}
}

func TestText_Lines(t *testing.T) {
	tests := []struct {
		name     string
		t        Text
		cols     int
		want     []string
		wantWide bool
	}{
		{"wraps at spaces", Text{Text: "Via Roma 1, 20121 Milano"}, 12, []string{"Via Roma 1,", "20121 Milano"}, false},
		{"empty prints nothing", Text{}, 24, nil, false},
		{"wide when it fits at double width", Text{Text: "Z REPORT", Wide: true}, 24, []string{"Z REPORT"}, true},
		{"single width when it does not", Text{Text: "CHIUSURA GIORNALIERA", Wide: true}, 32, []string{"CHIUSURA GIORNALIERA"}, false},
		{"no wrap keeps indent and cuts", Text{Text: "  1,234 kg x 1,99 €/kg and more", NoWrap: true}, 24, []string{"  1,234 kg x 1,99 €/kg a"}, false},
		{"control characters never reach the line", Text{Text: "a\x1b@b\nc", NoWrap: true}, 24, []string{"a @b c"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, wide := tc.t.Lines(tc.cols)
			if !slices.Equal(got, tc.want) || wide != tc.wantWide {
				t.Errorf("Lines(%d) = %q wide=%v, want %q wide=%v", tc.cols, got, wide, tc.want, tc.wantWide)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
		want  []string
	}{
		{"Jäätelö Åland mansikka-vanilja", 10, []string{"Jäätelö", "Åland", "mansikka-v", "anilja"}},
		{"  spaced   out  ", 24, []string{"spaced out"}},
		{"", 5, nil},
		{"abc", 0, []string{"a", "b", "c"}},
	} {
		got := Wrap(tc.s, tc.width)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.s, tc.width, got, tc.want)
		}
		for _, l := range got {
			if utf8.RuneCountInString(l) > max(tc.width, 1) {
				t.Errorf("Wrap(%q, %d): line %q too long", tc.s, tc.width, l)
			}
		}
	}
}
