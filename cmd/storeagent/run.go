package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/sync/fleet"
)

// loadConfig reads -config (or $STOREAGENT_CONFIG, or the OS default) and prints warnings.
func (m *Main) loadConfig(path string) (*agent.Config, error) {
	cfg, warnings, err := agent.LoadConfig(path, m.Environ)
	for _, w := range warnings {
		fmt.Fprintf(m.Stderr, "storeagent: warning: %s\n", w)
	}
	return cfg, err
}

func (m *Main) runCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file (default $STOREAGENT_CONFIG or "+agent.DefaultConfigPath()+")")
	verbose := fs.Bool("v", false, "debug logging")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	cfg, restart, err := agent.PrepareFleet(cfg)
	if err != nil {
		return err
	}
	if restart {
		return fleet.ErrRestart
	}
	return m.runService(ctx, cfg, *verbose)
}

// runAgent builds and runs an agent until ctx is cancelled. ready, if set, is called once the agent
// listens (the demo prints its URLs then).
func (m *Main) runAgent(ctx context.Context, cfg *agent.Config, verbose bool, ready func(a *agent.Agent) error) error {
	return m.runAgentWith(ctx, cfg, verbose, agent.Options{}, ready)
}

// runAgentWith is runAgent with agent options (the demo's virtual printer).
func (m *Main) runAgentWith(ctx context.Context, cfg *agent.Config, verbose bool, opts agent.Options, ready func(a *agent.Agent) error) error {
	ring := fleet.NewLogRing()
	opts.Logger, opts.LogLevel = agent.NewLoggerVar(cfg.Log, io.MultiWriter(m.Stderr, ring), verbose)
	opts.Fleet.LogTail = ring.Lines
	opts.Version, _, _ = buildInfo()
	a, err := agent.New(ctx, cfg, opts)
	if err != nil && cfg.FleetTrial() {
		// Central's new overlay does not start: back to the last good one, through a restart.
		if rerr := agent.RollbackFleetTrial(cfg, err); rerr != nil {
			return errors.Join(err, rerr)
		}
		return fmt.Errorf("%w: the config overlay on trial was rolled back: %v", fleet.ErrRestart, err)
	}
	if err != nil {
		return err
	}
	if ready != nil {
		if err := ready(a); err != nil {
			a.Close()
			return err
		}
	}
	return a.Run(ctx)
}
