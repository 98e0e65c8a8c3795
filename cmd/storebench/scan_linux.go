package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos/posbench"
)

// scan measures a scan from the bytes a serial scanner sends (written to a pseudo-terminal's
// master; the agent subprocess's scanner device opens its slave) to the `event: scan` on the
// terminal's GET /api/v1/events stream, product lookup included, against the raw pty round trip
// (the same bytes written to a master and read from its raw slave). -scans of each, one at a time.
func (b *bench) scan(ctx context.Context) []Row {
	row := Row{Measure: "scan latency pty → SSE (p99)", Unit: "ms", BaselineName: "raw pty round trip",
		Goal: Goal{On: "value", Op: "<", Limit: 5, Label: "p99 < 5 ms"}}
	codes := make([][]byte, 16)
	for i := range codes {
		codes[i] = []byte(posbench.CatalogGTIN(i*(b.o.items/len(codes))%b.o.items) + "\r")
	}
	if raw, err := rawPTYRoundTrips(codes, b.o.scans); err != nil {
		row.BaselineErr = err.Error()
	} else {
		row.Baseline = raw.P(0.99)
		row.Notes = fmt.Sprintf("raw p50 %.3f ms", raw.P(0.5))
	}
	r, err := b.agentScans(ctx, codes)
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	row.Value = r.P(0.99)
	row.Notes = strings.TrimPrefix(fmt.Sprintf("agent p50 %.2f ms over %d scans; %s", r.P(0.5), r.N, row.Notes), "; ")
	return []Row{row}
}

// openRawPTY opens a pty pair with the slave in raw mode (no echo, no line editing, no CR→NL).
func openRawPTY() (master, slave *os.File, err error) {
	master, slave, err = pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err == nil {
		tio.Iflag, tio.Oflag, tio.Lflag = 0, 0, 0
		tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
		err = unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, tio)
	}
	if err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("raw mode: %w", err)
	}
	return master, slave, nil
}

// rawPTYRoundTrips writes each code to a master and times until its bytes are read on the slave.
func rawPTYRoundTrips(codes [][]byte, n int) (benchkit.Result, error) {
	master, slave, err := openRawPTY()
	if err != nil {
		return benchkit.Result{}, err
	}
	defer master.Close()
	defer slave.Close()
	buf := make([]byte, 64)
	r := benchkit.Closed(context.Background(), 1, n, 0, func(i int) error {
		code := codes[i%len(codes)]
		if _, err := master.Write(code); err != nil {
			return err
		}
		_, err := io.ReadFull(slave, buf[:len(code)])
		return err
	})
	return r, r.Err
}

// agentScans starts an agent whose lane1 scanner is a pty slave, opens lane1's event stream and
// times each code from its write to the master until its scan event has arrived.
func (b *bench) agentScans(ctx context.Context, codes [][]byte) (benchkit.Result, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return benchkit.Result{}, fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	defer master.Close()
	defer slave.Close()            // held open so the pty stays up whatever the agent does
	go io.Copy(io.Discard, master) // what the agent sends the scanner (set-up commands)
	p, err := b.startAgent(ctx, agentSetup{scanner: slave.Name()})
	if err != nil {
		return benchkit.Result{}, err
	}
	defer p.stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := p.scanEvents(ctx)
	if err != nil {
		return benchkit.Result{}, err
	}
	scan := func(i int) error {
		select { // a late event of an earlier scan must not count for this one
		case <-events:
		default:
		}
		if _, err := master.Write(codes[i%len(codes)]); err != nil {
			return err
		}
		select {
		case _, ok := <-events:
			if !ok {
				return errors.New("the event stream ended")
			}
			return nil
		case <-time.After(2 * time.Second):
			return errors.New("no scan event within 2 s of the scanner's bytes")
		}
	}
	// The scanner device connects after /healthz is up: scan until an event comes back.
	for deadline := time.Now().Add(15 * time.Second); scan(0) != nil; {
		if time.Now().After(deadline) {
			return benchkit.Result{}, errors.New("the agent's scanner on the pty never sent a scan event")
		}
	}
	r := benchkit.Closed(ctx, 1, b.o.scans, 0, scan)
	return r, r.Err
}

// scanEvents reads lane1's /api/v1/events stream and sends a value for each complete scan event.
func (p *agentProc) scanEvents(ctx context.Context) (<-chan struct{}, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+p.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, fmt.Errorf("GET /api/v1/events: status %d", resp.StatusCode)
	}
	out := make(chan struct{}, 16)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		rd := bufio.NewReader(resp.Body)
		cur := ""
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			switch {
			case strings.HasPrefix(line, "event:"):
				cur = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case line == "" && cur == "scan":
				out <- struct{}{}
				cur = ""
			case line == "":
				cur = ""
			}
		}
	}()
	return out, nil
}
