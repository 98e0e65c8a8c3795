package pos

import (
	"context"
	"database/sql"
)

// Kinds of fiscal records pos asks a Journal to write.
const (
	JournalSale      = "sale"
	JournalRefund    = "refund"
	JournalDuplicate = "duplicate"
	JournalTillClose = "till_close"
)

// Journal is the fiscal journal (France: pos/fiscal, wired by the agent). pos calls it inside the
// transaction of what it records, so the record commits with it or not at all. nil means no
// fiscal journal.
type Journal interface {
	// Record appends a record of kind (JournalSale …) carrying data in tx. training sends it
	// to the training chain. It returns where the record went.
	Record(ctx context.Context, tx *sql.Tx, kind string, training bool, data any) (FiscalRef, error)
}

// FiscalRef names a fiscal journal record: its chain, its seq in the chain (a sale's ticket
// number) and its signature.
type FiscalRef struct {
	Chain     string `json:"chain"`
	Seq       int64  `json:"seq"`
	Signature string `json:"signature"`
}

// journal records kind in tx when a journal is configured; it returns nil when none is.
func (s *Service) journal(ctx context.Context, tx *sql.Tx, kind string, training bool, data any) (*FiscalRef, error) {
	if s.opts.Journal == nil {
		return nil, nil
	}
	ref, err := s.opts.Journal.Record(ctx, tx, kind, training, data)
	if err != nil {
		return nil, err
	}
	return &ref, nil
}

// TrainingJournal is a Journal that can put the whole store in training mode (fiscal.training).
type TrainingJournal interface {
	Journal
	TrainingMode() bool
}

// trainingMode reports whether every sale is a training sale (the journal says so).
func (s *Service) trainingMode() bool {
	t, ok := s.opts.Journal.(TrainingJournal)
	return ok && t.TrainingMode()
}
