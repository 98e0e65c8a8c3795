package document

import (
	"strings"
	"testing"
)

func TestPlain(t *testing.T) {
	doc := Document{Kind: KindReport, Blocks: []Block{
		Style{Align: AlignCenter, Blocks: []Block{
			Text{Text: "Centred"},
			Style{Align: AlignRight, Bold: true, Blocks: []Block{Text{Text: "Right"}}},
			Text{Text: "Centred again"},
		}},
		Text{Text: "Left"},
		Feed{Lines: 2},
		Barcode{Symbology: EAN13, Data: "400638133393"},
		Drawer{},
		Cut{Full: true},
	}}
	got, err := Plain(doc, 24)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"        Centred",
		"                   Right",
		"     Centred again",
		"Left",
		"",
		"",
		"[EAN-13 400638133393]",
		"[drawer]",
		strings.Repeat("=", 24),
	}, "\n") + "\n"
	if got != want {
		t.Errorf("Plain =\n%s\nwant\n%s", got, want)
	}
	if _, err := Plain(doc, MinColumns-1); err == nil || !strings.Contains(err.Error(), "23 columns") {
		t.Errorf("23 columns: err = %v", err)
	}
}
