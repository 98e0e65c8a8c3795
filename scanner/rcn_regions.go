package scanner

import "strings"

// RCNLayoutsFor returns the built-in variable-measure layouts of a region
// (ISO 3166 alpha-2 code, any case), or nil for a region with none built
// in: DE, GB (UK), SE, NO, DK, FI, EE, LV, LT and IT. Each call returns a
// fresh slice the caller may change.
//
// Sources (also in scanner/testdata/rcn/SOURCES.md):
//   - DE: GS1 Germany, "Globale Artikelnummer GTIN in der Anwendung"
//     (prefixes 22/23 price, 28/29 weight, each with a 5-digit verifier);
//     as transcribed in jodal/biip src/biip/rcn.py. 25/26 (quantity) are
//     not built in: this package knows price and weight only.
//   - GB: GS1 UK, "How to barcode variable measure items"
//     (gs1uk.org/knowledge-hub/barcodes/how-to-barcode-variable-measure-items):
//     20XXX RR V PPPP C and 28XXX RR V PPPP C, V the price verifier.
//   - SE: GS1 Sweden, "Variable weight number" (gs1.se/en/our-standards/
//     Identify/variable-weight-number1/): 2X + 4-5 digit company part +
//     2-3 digit sequence, then 4 digits; X = 0/1/2 price in kronor with
//     2/1/0 decimals, 3/4/5 weight in kg with 3/2/1 decimals.
//   - NO: no GS1 Norway document found; the Swedish layout, which
//     Norwegian products observed by jodal/biip follow.
//   - DK: GS1 Denmark, "Interne GS1-stregkoder" (gs1.dk/vejledninger/
//     interne-gs1-stregkoder): 21-24 price in øre after 4 item digits,
//     26/28 weight in grams, 27 weight with a 5-digit item; positions as in
//     jodal/biip.
//   - FI: GS1 Finland, "How to identify the product (GTIN)"
//     (gs1.fi/en/customersupport/gs1-company-prefix/how-identify-product-gtin):
//     23/24/25 YYYY AA PPPP T, weight in kg with 3/2/1 decimals.
//   - EE, LV, LT: GS1 Latvia, "Variable measure in Latvia" (shared by the
//     three Baltic GS1 organisations; gs1lv.org ENG.Variable measure_in_Latvia.pdf
//     as cited by jodal/biip): as Finland.
//   - IT: not from a GS1 Italy document (none found); Indicod (GS1 Italy's
//     former name) layout as described by reminformatica.it/tipi-di-barcode/ean13:
//     2 BBBBBB CCCCC D, a 6-digit product code and the price in euro cents.
//
// FR is not built in: no GS1 France layout was found; configure
// rcn_layouts for it.
func RCNLayoutsFor(region string) []RCNLayout {
	switch strings.ToUpper(region) {
	case "DE":
		return []RCNLayout{
			{Prefix: "22", ItemStart: 2, ItemLen: 4, Kind: RCNPrice, ValueStart: 7, ValueLen: 5, ValueCheckPos: 6},
			{Prefix: "23", ItemStart: 2, ItemLen: 4, Kind: RCNPrice, ValueStart: 7, ValueLen: 5, ValueCheckPos: 6},
			{Prefix: "28", ItemStart: 2, ItemLen: 4, Kind: RCNWeight, ValueStart: 7, ValueLen: 5, ValueCheckPos: 6},
			{Prefix: "29", ItemStart: 2, ItemLen: 4, Kind: RCNWeight, ValueStart: 7, ValueLen: 5, ValueCheckPos: 6},
		}
	case "GB", "UK":
		return []RCNLayout{
			{Prefix: "20", ItemStart: 2, ItemLen: 5, Kind: RCNPrice, ValueStart: 8, ValueLen: 4, ValueCheckPos: 7},
			{Prefix: "28", ItemStart: 2, ItemLen: 5, Kind: RCNPrice, ValueStart: 8, ValueLen: 4, ValueCheckPos: 7},
		}
	case "SE", "NO":
		return swedishLayouts()
	case "DK":
		return []RCNLayout{
			{Prefix: "21", ItemStart: 2, ItemLen: 4, Kind: RCNPrice, ValueStart: 6, ValueLen: 6, ValueCheckPos: -1},
			{Prefix: "22", ItemStart: 2, ItemLen: 4, Kind: RCNPrice, ValueStart: 6, ValueLen: 6, ValueCheckPos: -1},
			{Prefix: "23", ItemStart: 2, ItemLen: 4, Kind: RCNPrice, ValueStart: 6, ValueLen: 6, ValueCheckPos: -1},
			{Prefix: "24", ItemStart: 2, ItemLen: 4, Kind: RCNPrice, ValueStart: 6, ValueLen: 6, ValueCheckPos: -1},
			{Prefix: "26", ItemStart: 2, ItemLen: 4, Kind: RCNWeight, ValueStart: 6, ValueLen: 6, ValueCheckPos: -1},
			{Prefix: "27", ItemStart: 2, ItemLen: 5, Kind: RCNWeight, ValueStart: 7, ValueLen: 5, ValueCheckPos: -1},
			{Prefix: "28", ItemStart: 2, ItemLen: 4, Kind: RCNWeight, ValueStart: 6, ValueLen: 6, ValueCheckPos: -1},
		}
	case "FI", "EE", "LV", "LT":
		return []RCNLayout{
			{Prefix: "23", ItemStart: 2, ItemLen: 6, Kind: RCNWeight, ValueStart: 8, ValueLen: 4, ValueCheckPos: -1, Multiplier: 1},
			{Prefix: "24", ItemStart: 2, ItemLen: 6, Kind: RCNWeight, ValueStart: 8, ValueLen: 4, ValueCheckPos: -1, Multiplier: 10},
			{Prefix: "25", ItemStart: 2, ItemLen: 6, Kind: RCNWeight, ValueStart: 8, ValueLen: 4, ValueCheckPos: -1, Multiplier: 100},
		}
	case "IT":
		var out []RCNLayout
		for p := '0'; p <= '9'; p++ {
			out = append(out, RCNLayout{Prefix: "2" + string(p), ItemStart: 1, ItemLen: 6,
				Kind: RCNPrice, ValueStart: 7, ValueLen: 5, ValueCheckPos: -1})
		}
		return out
	}
	return nil
}

// swedishLayouts is GS1 Sweden's scheme: 2X, item digits 2-7, value 8-11.
func swedishLayouts() []RCNLayout {
	l := func(prefix, kind string, mult int64) RCNLayout {
		return RCNLayout{Prefix: prefix, ItemStart: 2, ItemLen: 6, Kind: kind,
			ValueStart: 8, ValueLen: 4, ValueCheckPos: -1, Multiplier: mult}
	}
	return []RCNLayout{
		l("20", RCNPrice, 1), l("21", RCNPrice, 10), l("22", RCNPrice, 100),
		l("23", RCNWeight, 1), l("24", RCNWeight, 10), l("25", RCNWeight, 100),
	}
}
