// Package scanner turns what barcode scanners and cameras see into
// symbols: it identifies the symbology of a hardware scan (AIM symbology
// identifiers and vendor code IDs), checks GTIN check digits (EAN-13/8,
// UPC-A/E, GTIN-14), parses GS1 element strings and GS1 Digital Link URIs
// against the GS1 Barcode Syntax Dictionary, reads price- and
// weight-embedded EAN-13 codes with regional layouts, and decodes barcodes
// and QR codes in camera images with gozxing.
//
// The flow for a hardware scan is
//
//	framed bytes → Parse → Identify → EAN/UPC check | ParseGS1 | ParseDigitalLink → ParseRCN → Scan
//
// and for an image DecodeImageBytes → DecodeImage → []Code, each Code's
// data then going through Parse like a hardware scan if the caller wants
// the GS1 and GTIN details.
//
// The package is a leaf: it imports no other storeagent package. Byte
// framing of serial and HID scanners lives in scanner/framing; devices/
// moves the bytes; the agent wires them together.
package scanner
