// Package document describes what the till prints, device-neutrally: a receipt, a report or a
// label as blocks of text with emphasis, money columns, QR and bar codes, a cut and a drawer
// kick, and, for fiscal stores, the Fiscal part a fiscal printer registers. Each device driver
// renders a Document its own way (ESC/POS bytes, a PNG preview, plain text, fpmate XML); the
// selling domain imports no printer protocol.
package document
