// Package escpos encodes receipts as Epson ESC/POS byte streams, describes printer models
// (Profile, loaded from the YAML files in firmware-profiles/printers), parses the printer's
// status replies (DLE EOT, Automatic Status Back), decodes ESC/POS bytes back into text and
// commands (Decode, for tests and previews) and renders them to an image (RenderPNG).
//
// Render lays a device-neutral pos/document.Document (a receipt or report from pos/receipt)
// out as ESC/POS bytes for a profile; RenderDocumentPNG draws it.
//
// It is pure: it moves no bytes to a device. The transports and the printer driver in devices/
// send what Render and an Encoder build. The only package of the project it imports is
// pos/document, the model it renders.
//
// Command sequences follow the Epson "ESC/POS Application Programming Guide" and the
// "ESC/POS Command Reference" (Seiko Epson, https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/);
// each command's section is named next to the code that writes it.
package escpos
