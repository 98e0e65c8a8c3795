package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/pos/posbench"
)

// runAgentCmd is the hidden `storebench agent -config PATH`: the agent exactly as `storeagent
// run` runs it in a terminal (config loaded with the environment's overrides, the configured
// logger, Run until SIGTERM or interrupt), so the measures over HTTP see the real agent in its
// own process.
func runAgentCmd(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, warnings, err := agent.LoadConfig(*path, os.Environ())
	for _, w := range warnings {
		fmt.Fprintf(stderr, "storebench agent: warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintf(stderr, "storebench agent: %v\n", err)
		return 1
	}
	a, err := agent.New(ctx, cfg, agent.Options{Logger: agent.NewLogger(cfg.Log, stderr, false), Version: version()})
	if err != nil {
		fmt.Fprintf(stderr, "storebench agent: %v\n", err)
		return 1
	}
	if err := a.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "storebench agent: %v\n", err)
		return 1
	}
	return 0
}

// agentProc is an agent subprocess on a loopback port, with lane1's token.
type agentProc struct {
	cmd   *exec.Cmd
	URL   string
	Token string
	// Startup is the time from starting the process until /healthz answered 200.
	Startup time.Duration
	logs    syncWriter
	exited  chan struct{}
}

// agentSetup says what an agent subprocess gets besides the -items catalogue.
type agentSetup struct {
	// scanner, if set, is a serial scanner device path owned by lane1.
	scanner string
	// rtURL, if set, makes the store Italian (fiscal.country IT) with its RT at this fpmate URL.
	rtURL string
}

// seededCatalogue returns a folder holding a database with the -items catalogue (made once per
// run; each agent gets a copy, so none sees another's sales).
func (b *bench) seededCatalogue(ctx context.Context) (string, error) {
	if b.seeded != "" {
		return b.seeded, nil
	}
	dir, err := b.tempDir("catalogue")
	if err != nil {
		return "", err
	}
	b.logf("seeding a %d-item catalogue", b.o.items)
	if err := posbench.SeedCatalog(ctx, dir, b.o.items); err != nil {
		return "", fmt.Errorf("seed catalogue: %w", err)
	}
	b.seeded = dir
	return dir, nil
}

// startAgent starts an agent subprocess on a copy of the seeded catalogue and waits until its
// /healthz answers 200. Stop it with stop.
func (b *bench) startAgent(ctx context.Context, s agentSetup) (*agentProc, error) {
	seeded, err := b.seededCatalogue(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := b.tempDir("agent")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := copyFolder(seeded, data); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	rand.Read(tok)
	p := &agentProc{URL: "http://" + addr, Token: hex.EncodeToString(tok), exited: make(chan struct{}),
		logs: syncWriter{w: &bytes.Buffer{}}}
	cfgPath := filepath.Join(dir, "storeagent.yaml")
	if err := os.WriteFile(cfgPath, []byte(agentConfig(data, addr, p.Token, s)), 0o600); err != nil {
		return nil, err
	}
	p.cmd = exec.Command(b.exe, "agent", "-config", cfgPath)
	if b.o.agentBin != "" {
		p.cmd = exec.Command(b.o.agentBin, "run", "-config", cfgPath)
	}
	p.cmd.Env = append(os.Environ(), childEnv+"=1")
	p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the agent: %w", err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	if err := p.waitHealthy(ctx, 30*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	p.Startup = time.Since(start)
	return p, nil
}

// childEnv marks the agent subprocess, so a test binary re-executed as the agent runs it (see
// TestMain) instead of the tests.
const childEnv = "STOREBENCH_AGENT_CHILD"

// agentConfig is the subprocess's config: offline from central (nothing listens at the MQTT
// address, so the agent sells offline as the package benchmarks do), logs at warn.
func agentConfig(data, addr, token string, s agentSetup) string {
	var c strings.Builder
	fmt.Fprintf(&c, "store_id: it-mi-001\ndata_dir: %q\nhttp: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: \"tcp://127.0.0.1:9\"}\n", data, addr)
	if s.rtURL != "" {
		fmt.Fprintf(&c, "fiscal:\n  country: IT\n  printer: {driver: epson-fpmate, url: %q, timeout: 5s, departments: {2200: 1}, payments: {cash: [0, 0], card: [2, 1]}}\n", s.rtURL)
	}
	if s.scanner == "" {
		fmt.Fprintf(&c, "terminals:\n  - {id: lane1, token: %s}\n", token)
		return c.String()
	}
	fmt.Fprintf(&c, "terminals:\n  - {id: lane1, token: %s, scanners: [lane1-scanner]}\n", token)
	fmt.Fprintf(&c, "devices:\n  - {name: lane1-scanner, type: scanner, transport: serial, path: %q}\n", s.scanner)
	return c.String()
}

func (p *agentProc) waitHealthy(ctx context.Context, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for {
		resp, err := client.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("the agent exited before /healthz answered: %s", lastLine(p.logs.String()))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/healthz did not answer 200 within %s: %v %s", limit, err, lastLine(p.logs.String()))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Pid is the subprocess's process id.
func (p *agentProc) Pid() int { return p.cmd.Process.Pid }

// stop asks the agent to stop (SIGTERM) and kills it if it has not within 10 s.
func (p *agentProc) stop() {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// get sends an authorized GET and reads the answer, which must be 200.
func (p *agentProc) get(client *http.Client, path string) error {
	req, _ := http.NewRequest("GET", p.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+p.Token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// copyFolder copies the regular files of src (a closed database's folder) into a new folder dst.
func copyFolder(src, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
