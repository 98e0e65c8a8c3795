package fpmate

import (
	"context"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
)

// Reconcile decides, after an ambiguous Register, whether the printer registered the document:
// it reads the last emitted document and adopts it when it is fiscal, its (Z, document) advanced
// past (knownZ, knownDoc), the last one the caller knows, and its amount equals amountMinor (the
// document's total). adopt false means "send it again". knownZ/knownDoc must be the last
// document the caller knows the RT made (its own last registration, or the LastDocument read
// before sending): with (0, 0) any earlier document of the same amount would be adopted.
func Reconcile(ctx context.Context, p fiscalprinter.Printer, knownZ, knownDoc int, amountMinor int64) (bool, fiscalprinter.LastDocument, error) {
	ld, err := p.LastDocument(ctx)
	if err != nil {
		return false, ld, err
	}
	a := ld.AmountMinor
	if a < 0 {
		a = -a
	}
	if amountMinor < 0 {
		amountMinor = -amountMinor
	}
	return ld.Fiscal && ld.After(knownZ, knownDoc) && a == amountMinor, ld, nil
}
