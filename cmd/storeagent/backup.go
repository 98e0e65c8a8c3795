package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// fileAndConfig parses "FILE [-config PATH]" (and -force for restore) and loads the config.
func (m *Main) fileAndConfig(name string, args []string, force *bool) (string, *agent.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	if force != nil {
		fs.BoolVar(force, "force", false, "restore a French fiscal store (recorded as a restore event)")
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return "", nil, err
	}
	if len(pos) != 1 {
		return "", nil, usagef("want exactly one FILE")
	}
	cfg, err := m.loadConfig(*configPath)
	return pos[0], cfg, err
}

func (m *Main) backupCmd(ctx context.Context, args []string) error {
	file, cfg, err := m.fileAndConfig("backup", args, nil)
	if err != nil {
		return err
	}
	// A backup runs beside a running agent: WAL lets it read a consistent snapshot.
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Backup(ctx, file); err != nil {
		return err
	}
	if err := m.fiscalEvent(ctx, cfg, d, fiscal.EventBackup, map[string]any{"file": file}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backup of %s written to %s\n", d.Path, file)
	return nil
}

func (m *Main) restoreCmd(ctx context.Context, args []string) error {
	var force bool
	file, cfg, err := m.fileAndConfig("restore", args, &force)
	if err != nil {
		return err
	}
	var before map[string]fiscal.Head
	if cfg.FiscalFR() {
		if !force {
			return errors.New("fiscal.country FR: a restore replaces the fiscal journal; run again with -force to restore and record it")
		}
		if before, err = fiscalHeads(ctx, cfg); err != nil {
			return err
		}
	}
	epoch, err := db.Restore(ctx, file, cfg.DataDir)
	if err != nil {
		return err
	}
	if cfg.FiscalFR() {
		d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
		if err != nil {
			return err
		}
		defer d.Close()
		restored, err := fiscal.Heads(ctx, d.R)
		if err != nil {
			return err
		}
		if err := m.fiscalEvent(ctx, cfg, d, fiscal.EventRestore, map[string]any{"file": file,
			"heads_before": before, "heads_restored": restored}); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "restored %s into %s; new epoch %s\n", file, cfg.DataDir, epoch)
	return nil
}

// fiscalEvent records a technical event on a French store's journal (nothing elsewhere).
func (m *Main) fiscalEvent(ctx context.Context, cfg *agent.Config, d *db.DB, kind string, fields map[string]any) error {
	if !cfg.FiscalFR() {
		return nil
	}
	key, err := fiscal.LoadOrCreateKey(cfg.FiscalKeyFile(), cfg.Fiscal.KeyFile == "")
	if err != nil {
		return err
	}
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: cfg.StoreID, Epoch: d.Epoch}, nil)
	j.SetCalendar(fiscal.Calendar{Location: cfg.Location(), DayStart: cfg.Till.DayStart()})
	_, err = j.Event(ctx, d, kind, fields)
	return err
}

// fiscalHeads reads the chain heads of the database in data_dir (none when it does not exist yet).
func fiscalHeads(ctx context.Context, cfg *agent.Config) (map[string]fiscal.Head, error) {
	if _, err := os.Stat(filepath.Join(cfg.DataDir, db.FileName)); err != nil {
		return map[string]fiscal.Head{}, nil
	}
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return fiscal.Heads(ctx, d.R)
}
