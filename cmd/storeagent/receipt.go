package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/document"
	"github.com/storeagent/storeagent/sync/db"
)

// receiptCmd prints stored sales' receipts as plain text, laid out as a printer of -cols
// characters per line would print them (document.Plain), one after the other.
func (m *Main) receiptCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("receipt", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	cols := fs.Int("cols", 48, "characters per line: 32 for 58 mm paper, 42 or 48 for 80 mm")
	ids, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return usagef("name at least one sale id")
	}
	if *cols < document.MinColumns || *cols > 200 {
		return usagef("-cols %d: want %d..200", *cols, document.MinColumns)
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return err
	}
	defer d.Close()
	q, err := pos.NewPrintQueue(d, textPrinter{cols: *cols}, agent.ReceiptOptions(cfg))
	if err != nil {
		return err
	}
	for _, id := range ids {
		b, err := q.Receipt(ctx, id, "text", false, false)
		if err != nil {
			return fmt.Errorf("receipt of %q: %w", id, err)
		}
		m.Stdout.Write(b)
	}
	return nil
}

// textPrinter is a print driver that renders documents as plain text and prints nothing.
type textPrinter struct{ cols int }

func (textPrinter) Has(string) bool { return true }

func (p textPrinter) Render(_ string, doc document.Document) ([]byte, error) {
	s, err := document.Plain(doc, p.cols)
	return []byte(s), err
}

func (textPrinter) Print(context.Context, string, []byte) error {
	return errors.New("the text printer prints nothing")
}
