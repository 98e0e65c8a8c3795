// Package receipt lays a completed sale out as a printed receipt: store header, receipt number
// and local time, the lines, VAT per rate, total, cash rounding, payments and change, the sale's
// ids, "non-fiscal" in the store's language, a COPY mark on reprints and a QR code linking to
// the receipt online. Build turns a Receipt into ESC/POS bytes for one printer profile, laid
// out to the profile's columns, with money and dates in the store's locale.
//
// It imports only devices/escpos and golang.org/x/text; the print-job queue and the HTTP API
// in pos/ fill a Receipt from the stored sale and the config.
package receipt
