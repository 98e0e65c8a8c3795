package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/storeagent/storeagent/agent/db"
)

// errChecksFailed is returned when a check line shows ✗ (exit 1; the lines said why).
var errChecksFailed = errors.New("some checks failed")

func (m *Main) checkCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	ok := true
	line := func(pass bool, what, detail string) {
		mark := "✓"
		if !pass {
			mark, ok = "✗", false
		}
		fmt.Fprintf(m.Stdout, "%s %s: %s\n", mark, what, detail)
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		line(false, "config", err.Error())
		return errChecksFailed
	}
	line(true, "config", fmt.Sprintf("store %s, %d terminals, %d devices", cfg.StoreID, len(cfg.Terminals), len(cfg.Devices)))
	if err := checkWritable(cfg.DataDir); err != nil {
		line(false, "data_dir", err.Error()+" (fix: create it and give the storeagent user write access)")
	} else {
		line(true, "data_dir", cfg.DataDir+" is writable")
	}
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		line(false, "database", err.Error())
	} else {
		v, _ := db.SchemaVersion(ctx, d.W)
		line(true, "database", fmt.Sprintf("%s opens, quick_check ok, schema %d, epoch %s", d.Path, v, d.Epoch))
		d.Close()
	}
	if !ok {
		return errChecksFailed
	}
	return nil
}

func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".check-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(filepath.Clean(name))
}
