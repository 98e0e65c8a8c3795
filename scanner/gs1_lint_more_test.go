package scanner

import (
	"strings"
	"testing"
)

// TestParseGS1_MoreLinters checks the linters the third-party vectors found unapplied: the
// importer index of (7040), the birth sequence of (7258) and CSET 64 padding in (8030).
func TestParseGS1_MoreLinters(t *testing.T) {
	const gs = "\x1d"
	digsig := func(v string) string { return "]C10109506000134352" + "21ABC" + gs + "8030" + v }
	tests := []struct {
		in, wantErr string
	}{
		{"]C1" + "0109506000134352" + "7040" + "1A2B", ""},
		{"]C1" + "0109506000134352" + "7040" + "1A2=", "importer index"},
		{"]C1" + "0109506000134352" + "7040" + "1A2.", "importer index"},
		{"]C1" + "8018123456789012345675" + gs + "7259ABC" + gs + "7258" + "1/2", ""},
		{"]C1" + "8018123456789012345675" + gs + "7259ABC" + gs + "7258" + "3/2", "position in a sequence"},
		{"]C1" + "8018123456789012345675" + gs + "7259ABC" + gs + "7258" + "0/2", "position in a sequence"},
		{digsig("QUJDRA=="), ""},
		{digsig("QUJDREU="), ""},
		{digsig("QUJD"), ""},
		{digsig("QU=D"), "padding"},
		{digsig("QUJDR==="), "padding"},
		{digsig("QUJDRA="), "padding"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.in, gs, "<GS>"), func(t *testing.T) {
			_, err := ParseGS1(tt.in)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err %v; want it accepted", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err %v; want one about %q", err, tt.wantErr)
			}
		})
	}
}
