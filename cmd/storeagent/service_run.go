package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/kardianos/service"

	"github.com/storeagent/storeagent/agent"
)

// serviceStopBound is how long a stop may take before run gives up waiting: in-flight HTTP
// requests, the current DB transaction, device close and the MQTT offline status must fit. It is
// below the unit's TimeoutStopSec=30s, so systemd never has to SIGKILL.
const serviceStopBound = 25 * time.Second

// runService runs the agent under whatever started it: under systemd (Type=notify) it reports
// READY=1, pings the watchdog and says STOPPING=1; under the Windows service manager it runs
// through kardianos/service, which turns the SCM's stop into a context cancel; in a terminal it is
// the plain foreground run. In every case a stop that takes longer than serviceStopBound returns
// an error instead of hanging.
//
// `run` should call it instead of runAgent (see the report: one line in run.go).
func (m *Main) runService(ctx context.Context, cfg *agent.Config, verbose bool) error {
	n := newSDNotifier(m.Environ, os.Getpid())
	run := func(ctx context.Context, ready func() error) error {
		return m.runAgent(ctx, cfg, verbose, func(*agent.Agent) error { return ready() })
	}
	if runtime.GOOS == "windows" && !service.Interactive() {
		return runUnderKardianos(ctx, func(ctx context.Context) error {
			return superviseRun(ctx, nil, serviceStopBound, run)
		})
	}
	return superviseRun(ctx, n, serviceStopBound, run)
}

// superviseRun calls run, tells the service manager (n, may be nil) when run reports ready and when
// ctx ends, and returns run's result; after ctx ends it waits at most bound for run to return.
func superviseRun(ctx context.Context, n *sdNotifier, bound time.Duration, run func(ctx context.Context, ready func() error) error) error {
	var mu sync.Mutex
	stopping := func() {}
	ready := func() error {
		s, err := n.Ready(ctx)
		mu.Lock()
		stopping = s
		mu.Unlock()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, ready) }()
	select {
	case err := <-errc:
		mu.Lock()
		stopping()
		mu.Unlock()
		return err
	case <-ctx.Done():
	}
	mu.Lock()
	stopping()
	mu.Unlock()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case err := <-errc:
		return err
	case <-t.C:
		return fmt.Errorf("the agent did not stop within %s of the stop request; exiting without waiting further", bound)
	}
}

// kardianosProgram adapts a ctx-driven run function to service.Interface: Start runs it in the
// background, Stop cancels its context and waits for it.
type kardianosProgram struct {
	ctx    context.Context
	run    func(ctx context.Context) error
	cancel context.CancelFunc
	done   chan error
}

func (p *kardianosProgram) Start(service.Service) error {
	ctx, cancel := context.WithCancel(p.ctx)
	p.cancel = cancel
	go func() { p.done <- p.run(ctx) }()
	return nil
}

func (p *kardianosProgram) Stop(service.Service) error {
	p.cancel()
	return <-p.done
}

// runUnderKardianos runs run as a service of the host's manager (the Windows SCM) until it asks
// to stop, or ctx ends.
func runUnderKardianos(ctx context.Context, run func(ctx context.Context) error) error {
	p := &kardianosProgram{ctx: ctx, run: run, done: make(chan error, 1)}
	s, err := service.New(p, &service.Config{Name: serviceName})
	if err != nil {
		return fmt.Errorf("service manager: %w", err)
	}
	if err := s.Run(); err != nil {
		return fmt.Errorf("run as %s service: %w", s.Platform(), err)
	}
	return nil
}
