package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/agent/db"
)

// fileAndConfig parses "FILE [-config PATH]" and loads the config.
func (m *Main) fileAndConfig(name string, args []string) (string, *agent.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
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
	file, cfg, err := m.fileAndConfig("backup", args)
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
	fmt.Fprintf(m.Stdout, "backup of %s written to %s\n", d.Path, file)
	return nil
}

func (m *Main) restoreCmd(ctx context.Context, args []string) error {
	file, cfg, err := m.fileAndConfig("restore", args)
	if err != nil {
		return err
	}
	epoch, err := db.Restore(ctx, file, cfg.DataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %s into %s; new epoch %s\n", file, cfg.DataDir, epoch)
	return nil
}
