package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// fiscalCmd runs "storeagent fiscal verify|archive|verify-archive|close|retry".
func (m *Main) fiscalCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want verify, archive, verify-archive, close or retry")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		return flag.ErrHelp
	case "verify":
		return m.fiscalVerify(ctx, args[1:])
	case "archive":
		return m.fiscalArchive(ctx, args[1:])
	case "verify-archive":
		return m.fiscalVerifyArchive(args[1:])
	case "close":
		return m.fiscalClose(ctx, args[1:])
	case "retry":
		return m.fiscalRetry(ctx, args[1:])
	}
	return usagef("unknown fiscal command %q: want verify, archive, verify-archive, close or retry", args[0])
}

// openFiscal loads the config of a French store, opens its database and its journal.
func (m *Main) openFiscal(ctx context.Context, cfg *agent.Config) (*db.DB, *fiscal.Journal, error) {
	if !cfg.FiscalFR() {
		return nil, nil, errors.New("fiscal.country: not FR; this store keeps no fiscal journal")
	}
	key, err := fiscal.LoadOrCreateKey(cfg.FiscalKeyFile(), false)
	if err != nil {
		return nil, nil, err
	}
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return nil, nil, err
	}
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: cfg.StoreID, Epoch: d.Epoch}, nil)
	j.SetCalendar(fiscal.Calendar{Location: cfg.Location(), DayStart: cfg.Till.DayStart()})
	return d, j, nil
}

func (m *Main) fiscalVerify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fiscal verify", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) != 0 {
		return usagef("unexpected %q", rest[0])
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	d, j, err := m.openFiscal(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := fiscal.Verify(ctx, d.R, j.PublicKey())
	if err == nil {
		err = fiscal.VerifyClosures(ctx, d.R)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "ok: %d records in %d chains\n", sum.Records, sum.Chains)
	return nil
}

func (m *Main) fiscalArchive(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fiscal archive", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	period := fs.String("period", "", "YYYY or YYYY-MM")
	out := fs.String("o", "", "the zip file to write")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) != 0 || *period == "" || *out == "" {
		return usagef("want -period YYYY|YYYY-MM -o FILE")
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	if _, _, err := fiscal.PeriodBounds(*period, cfg.Location()); err != nil {
		return usagef("-period: %v", err)
	}
	d, j, err := m.openFiscal(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".fiscal-archive-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	man, err := j.WriteArchive(ctx, d.R, cfg.StoreID, *period, cfg.Location(), time.Now(), tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		return fmt.Errorf("archive %s: %w", *out, err)
	}
	if _, err := j.Event(ctx, d, fiscal.EventArchive, map[string]any{"period": *period, "file": filepath.Base(*out),
		"manifest_sha256": man.Files, "chains": man.Chains}); err != nil {
		return err
	}
	var n int64
	for _, s := range man.Chains {
		n += s.Count
	}
	fmt.Fprintf(m.Stdout, "archive of %s written to %s: %d records\n", *period, *out, n)
	return nil
}

func (m *Main) fiscalVerifyArchive(args []string) error {
	fs := flag.NewFlagSet("fiscal verify-archive", flag.ContinueOnError)
	keyPath := fs.String("key", "", "optional PEM public key the archive must be signed with")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("want exactly one FILE")
	}
	var pinned ed25519.PublicKey
	if *keyPath != "" {
		b, err := os.ReadFile(*keyPath)
		if err != nil {
			return err
		}
		if pinned, err = fiscal.ParsePublicKeyPEM(b); err != nil {
			return fmt.Errorf("-key %s: %w", *keyPath, err)
		}
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	man, err := fiscal.VerifyArchive(f, st.Size(), pinned)
	if err != nil {
		return fmt.Errorf("%s: %w", rest[0], err)
	}
	var n int64
	for _, s := range man.Chains {
		n += s.Count
	}
	fmt.Fprintf(m.Stdout, "ok: %s, period %s, %d records in %d chains\n", rest[0], man.Period, n, len(man.Chains))
	return nil
}

func (m *Main) fiscalClose(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fiscal close", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	period := fs.String("period", "", "day, month or year")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) != 0 {
		return usagef("unexpected %q", rest[0])
	}
	if *period != fiscal.PeriodDay && *period != fiscal.PeriodMonth && *period != fiscal.PeriodYear {
		return usagef("-period: want day, month or year")
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	d, j, err := m.openFiscal(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	var closed []fiscal.Closure
	err = d.Group.Do(ctx, func(tx *sql.Tx) error {
		var err error
		closed, err = j.CloseNow(ctx, tx, *period)
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range closed {
		fmt.Fprintf(m.Stdout, "closed %s %s: %d tickets, total %d, perpetual %d\n", c.Kind, c.Period, c.Tickets, c.TotalMinor, c.PerpetualMinor)
	}
	if len(closed) == 0 {
		fmt.Fprintf(m.Stdout, "nothing to close: the %s has no activity since its last closure\n", *period)
	}
	return nil
}
