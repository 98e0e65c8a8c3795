package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/db"
)

// syncCmd is `storeagent sync reset TOPIC`: IT's way out when central sent a seq or version out of
// bounds, or a store was away so long its topic cannot catch up (issue 16 item 6).
func (m *Main) syncCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want reset TOPIC (one of %s)", strings.Join(agentsync.ResetTopics, ", "))
	}
	switch args[0] {
	case "-h", "-help", "--help":
		return flag.ErrHelp
	case "reset":
	default:
		return usagef("unknown sync command %q: want reset", args[0])
	}
	fs := flag.NewFlagSet("sync reset", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	rest, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("want one topic: %s", strings.Join(agentsync.ResetTopics, ", "))
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	lock, err := db.LockDataDir(cfg.DataDir) // the agent must be stopped
	if err != nil {
		return err
	}
	defer lock.Release()
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return err
	}
	defer d.Close()
	summary, err := agentsync.ResetTopic(ctx, d, rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "reset %s: %s\n", rest[0], summary)
	return nil
}
