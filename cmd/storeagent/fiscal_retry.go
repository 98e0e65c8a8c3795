package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
)

// fiscalRetry runs "storeagent fiscal retry SALE_ID|-all-failed": an Italian store's failed RT
// registrations go back in the queue after the staff fixed their cause (a department mapping, the
// RT's clock). The running agent's worker picks them up within its poll interval (2 s), reads the
// RT's last document (directIO 1387) and sends each once; with the agent stopped, at its next start.
func (m *Main) fiscalRetry(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fiscal retry", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	all := fs.Bool("all-failed", false, "re-queue every failed sale, refund and void registration")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *all && len(rest) != 0:
		return usagef("give a SALE_ID or -all-failed, not both")
	case !*all && len(rest) != 1:
		return usagef("want one SALE_ID or -all-failed")
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	if !cfg.FiscalIT() {
		return errors.New("fiscal.country: not IT; this store registers nothing on an RT")
	}
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return err
	}
	defer d.Close()
	var jobs []pos.RTJob
	if *all {
		jobs, err = pos.RetryAllFailedRT(ctx, d)
	} else {
		jobs, err = pos.RetryRT(ctx, d, rest[0])
	}
	if err != nil {
		return err
	}
	for _, j := range jobs {
		fmt.Fprintf(m.Stdout, "re-queued: %s %s (sale %s; it had failed: %s)\n", j.Kind, j.DocID, j.SaleID, truncateLine(j.LastError, 200))
	}
	if len(jobs) == 0 {
		fmt.Fprintln(m.Stdout, "no failed RT registration to retry")
		return nil
	}
	fmt.Fprintf(m.Stdout, "%d registration(s) pending again: the agent sends them after reading the RT's last document\n", len(jobs))
	return nil
}

func truncateLine(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
