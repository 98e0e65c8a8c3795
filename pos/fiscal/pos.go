package fiscal

import (
	"context"
	"database/sql"

	"github.com/storeagent/storeagent/pos"
)

// ForPOS adapts the journal to pos.Journal: sales and refunds go to the ticket chain, reprints to
// duplicate, till closes to event, and anything in training mode (the sale's flag or
// fiscal.training) to training. Each record's data is {"kind": kind, "body": what pos stored}.
type ForPOS struct {
	J *Journal
	// Training sends every record to the training chain (fiscal.training: true).
	Training bool
}

var _ pos.Journal = ForPOS{}

// Record implements pos.Journal.
func (p ForPOS) Record(ctx context.Context, tx *sql.Tx, kind string, training bool, data any) (pos.FiscalRef, error) {
	chain := ChainEvent
	switch kind {
	case pos.JournalSale, pos.JournalRefund:
		chain = ChainTicket
	case pos.JournalDuplicate:
		chain = ChainDuplicate
	}
	if training || p.Training {
		chain = ChainTraining
	}
	r, err := p.J.Append(ctx, tx, chain, map[string]any{"kind": kind, "body": data})
	if err != nil {
		return pos.FiscalRef{}, err
	}
	return pos.FiscalRef{Chain: r.Chain, Seq: r.Seq, Signature: r.Signature}, nil
}

// TrainingMode implements pos.TrainingJournal: with fiscal.training every sale is a training sale.
func (p ForPOS) TrainingMode() bool { return p.Training }
