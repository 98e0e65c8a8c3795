// Package receipt lays a completed sale out as a printed receipt: store header, receipt number
// and local time, the lines, VAT per rate, total, cash rounding, payments and change, the sale's
// ids, "non-fiscal" in the store's language, a COPY mark on reprints and a QR code linking to
// the receipt online; and a till session or business day as an X, Z or day report. Build and
// BuildReport return a device-neutral document.Document (lines, emphasis, money pairs, QR, cut,
// drawer) with money and dates in the store's locale; each printer's driver renders it for its
// paper (devices/escpos.Render lays it out to the profile's columns). BuildFiscal gives the
// sale's fiscal part (document.Fiscal) for a fiscal printer to register.
//
// It imports only pos/document and golang.org/x/text: no printer protocol. The print-job queue
// and the HTTP API in pos/ fill a Receipt from the stored sale and the config.
package receipt
