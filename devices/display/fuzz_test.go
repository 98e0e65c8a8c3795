package display

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseProfile(f *testing.F) {
	f.Add([]byte("id: d\nname: D\ncommands: escpos\ncolumns: 20\nlines: 2\ncode_page: cp858\ncode_page_select: 19\n"))
	f.Add([]byte("id: c\nname: C\ncommands: cd5220\ncolumns: 20\nlines: 2\ncode_page: cp437\ncode_page_select: -1\ninternational: I\n"))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data, "f.yaml")
		if err != nil {
			return
		}
		e, err := NewEncoder(p)
		if err != nil {
			t.Fatalf("a parsed profile makes no encoder: %v", err)
		}
		for n := 1; n <= p.Lines; n++ {
			if got := len(e.Line(n, "x")); got != 4+p.Columns {
				t.Fatalf("line %d is %d bytes, want %d", n, got, 4+p.Columns)
			}
		}
	})
}

// FuzzFit: any label and amount make exactly cols columns, and an amount that fits is never cut.
func FuzzFit(f *testing.F) {
	f.Add("Caffè espresso", "2,50", 20)
	f.Add("", "", 8)
	f.Add("\x00\xff", "-0,05", 40)
	f.Fuzz(func(t *testing.T, label, amount string, cols int) {
		if cols < 8 || cols > 40 || !utf8.ValidString(label) || !utf8.ValidString(amount) {
			return
		}
		got := Fit(label, amount, cols)
		if n := utf8.RuneCountInString(got); n != cols {
			t.Fatalf("Fit(%q, %q, %d) = %q: %d columns", label, amount, cols, got, n)
		}
		if utf8.RuneCountInString(amount) < cols && !strings.HasSuffix(got, amount) {
			t.Fatalf("Fit(%q, %q, %d) = %q: amount cut", label, amount, cols, got)
		}
		p := Profile{ID: "f", Name: "f", Commands: CommandsESCPOS, Columns: cols, Lines: 2, CodePage: "cp858"}
		e, _ := NewEncoder(p)
		if b := e.fit(got); len(b) != cols {
			t.Fatalf("encoded line of %d bytes, want %d", len(b), cols)
		}
	})
}
