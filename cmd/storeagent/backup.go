package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/storeagent/storeagent/agent/db"
)

func (m *Main) backupCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one FILE")
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	// A backup runs beside a running agent: WAL lets it read a consistent snapshot.
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backup of %s written to %s\n", d.Path, pos[0])
	return nil
}

func (m *Main) restoreCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one FILE")
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	epoch, err := db.Restore(ctx, pos[0], cfg.DataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %s into %s; new epoch %s\n", pos[0], cfg.DataDir, epoch)
	return nil
}
