package receipt

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/storeagent/storeagent/devices/escpos"
	"github.com/storeagent/storeagent/pos/document"
)

// build lays r out and renders it for p, as a printer's driver does.
func build(r Receipt, p escpos.Profile) ([]byte, error) {
	doc, err := Build(r)
	if err != nil {
		return nil, err
	}
	return escpos.Render(doc, p)
}

// buildReport lays r out and renders it for p.
func buildReport(r TillReport, p escpos.Profile) ([]byte, error) {
	doc, err := BuildReport(r)
	if err != nil {
		return nil, err
	}
	return escpos.Render(doc, p)
}

// TestBuild_FitsEveryProfile renders the sample receipt and each till report for every built-in
// profile of 24 columns or more and checks that no printed line is wider than its font: the
// layout counts the columns the paper shows, also where a code page lacks "€" and it prints
// as "EUR".
func TestBuild_FitsEveryProfile(t *testing.T) {
	all, err := escpos.LoadProfiles(os.DirFS(filepath.Join("..", "..", "firmware-profiles")), "printers")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for id, p := range all {
		if p.Columns(0) < document.MinColumns {
			continue
		}
		for _, locale := range []string{"it-IT", "fr-FR", "fi-FI", "en-GB"} {
			r := sample(t, locale)
			r.Copy = true
			docs := []func() (document.Document, error){func() (document.Document, error) { return Build(r) }}
			for _, kind := range []string{"x", "z", "day"} {
				docs = append(docs, func() (document.Document, error) { return BuildReport(sampleReport(t, kind, locale)) })
			}
			for _, build := range docs {
				d, err := build()
				if err != nil {
					t.Fatal(err)
				}
				b, err := escpos.Render(d, p)
				if err != nil {
					t.Fatalf("%s %s: %v", id, locale, err)
				}
				doc, err := escpos.DecodeProfile(b, p)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(id+"/"+locale+"/"+d.Kind, func(t *testing.T) { checkWidths(t, doc, p) })
				n++
			}
		}
	}
	if n < 100 {
		t.Errorf("checked %d documents, want the built-in profiles' (at least 100)", n)
	}
}

// TestBuild_PlainGolden renders the sample receipt (a French reprint, to show the fiscal
// mentions) and a Z report as plain text, the form logs and CLI previews show.
// Regenerate with: go test ./pos/receipt -run TestBuild_PlainGolden -update
func TestBuild_PlainGolden(t *testing.T) {
	r := sample(t, "fr-FR")
	r.Copy = true
	r.Lines[0].AmountMinor -= 100
	r.Lines[0].Discounts = []Discount{{Name: "2e à -40 %", AmountMinor: 100}}
	r.Fiscal = &Fiscal{TicketNo: 42, SIRET: "12345678900011", Signature: "AbCdxxxxxxxxxxxxxxxxWxYz", Duplicate: 1}
	for _, cols := range []int{32, 48} {
		d, err := Build(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := document.Plain(d, cols)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, filepath.Join("testdata", "plain", fmt.Sprintf("receipt-fr-FR-%dcol.txt", cols)), got)
		z, err := BuildReport(sampleReport(t, "z", "it-IT"))
		if err != nil {
			t.Fatal(err)
		}
		got, err = document.Plain(z, cols)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, filepath.Join("testdata", "plain", fmt.Sprintf("z-it-IT-%dcol.txt", cols)), got)
	}
}
