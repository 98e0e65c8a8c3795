package receipt

import "github.com/storeagent/storeagent/devices/escpos"

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
