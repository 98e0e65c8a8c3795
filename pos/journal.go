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

// FiscalRef is a document's fiscal part. In France it names the journal record: its chain, its
// seq in the chain (a sale's ticket number) and its signature. In Italy it is the document's
// registration on the RT: status pending, registered or failed, and once registered the RT's
// serial, Z and document numbers (see RTQueue).
type FiscalRef struct {
	Chain     string `json:"chain,omitempty"`
	Seq       int64  `json:"seq,omitempty"`
	Signature string `json:"signature,omitempty"`

	Status       string `json:"status,omitempty"`
	RTSerial     string `json:"rt_serial,omitempty"`
	ZNo          int    `json:"z_no,omitempty"`
	DocNo        int    `json:"doc_no,omitempty"`
	RegisteredAt string `json:"registered_at,omitempty"`
	Error        string `json:"error,omitempty"`
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
