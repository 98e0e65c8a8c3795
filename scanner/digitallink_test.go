package scanner

import (
	"strings"
	"testing"
)

// TestParseDigitalLink_Strictness checks the Digital Link rules third-party vectors found
// missing: a repeated AI, a key qualifier in the query and an empty path segment are refused, and
// a short GTIN is padded in the query as in the path.
func TestParseDigitalLink_Strictness(t *testing.T) {
	const base = "https://id.example.com"
	tests := []struct {
		uri, wantErr, want01 string
	}{
		{base + "/01/09506000134352/10/ABC?10=DEF", "belongs in the path", ""},
		{base + "/01/09506000134352?17=261231&17=270101", "more than once", ""},
		{base + "/01/09506000134352?10=ABC", "belongs in the path", ""},
		{base + "/01/09506000134352?21=123", "not allowed", ""},
		{base + "/00/095060001343521236?01=9506000134352", "", "09506000134352"},
		{base + "/01/9506000134352?17=261231", "", "09506000134352"},
		{base + "/01/09506000134352/10/ABC?17=261231", "", "09506000134352"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.uri, base), func(t *testing.T) {
			els, err := ParseDigitalLink(tt.uri)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err %v; want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err %v; want it accepted", err)
			}
			for _, e := range els {
				if e.AI == "01" && e.Value != tt.want01 {
					t.Errorf("(01) %q; want %q", e.Value, tt.want01)
				}
			}
		})
	}
	for _, uri := range []string{base + "/01//09506000134352", base + "//01/09506000134352"} {
		if IsDigitalLink(uri) {
			t.Errorf("IsDigitalLink(%q) = true; an empty path segment is no Digital Link", uri)
		}
	}
}

// TestParse_GS1DotCode checks that a DotCode read with identifier ]J1 is parsed as GS1.
func TestParse_GS1DotCode(t *testing.T) {
	s := Parse([]byte("]J10109506000134352"+"17261231"), Options{})
	if s.Symbology != GS1DotCode || !s.Valid || s.GTIN != "09506000134352" || len(s.GS1) != 2 {
		t.Errorf("]J1 scan: %+v; want gs1-dotcode with (01) and (17)", s)
	}
	if s := Parse([]byte("]J0HELLO"), Options{}); s.Symbology != DotCode || s.Data != "HELLO" {
		t.Errorf("]J0 scan: %+v; want dotcode HELLO", s)
	}
}
