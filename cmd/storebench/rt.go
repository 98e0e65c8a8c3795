package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/posbench"
)

// rtSales is how many sales the RT backlog measure makes while the RT is out of paper.
const rtSales = 100

// rt measures the Italian RT registration (fiscal.country IT) with the fpmate emulator as the RT,
// in its own process (storebench fpmateemu, the same code as cmd/fpmateemu) and, on a machine
// with 4 or more cores, pinned to the last core while the agents keep the others: the sale
// latency over HTTP against the same agent with fiscal.country "" (alternating runs, medians),
// how long a backlog of sales made during one outage takes to register once the RT is back, and
// -rt-faults separate faults, each followed by the RT coming back, timing every sale from the
// RT's recovery to its registration.
func (b *bench) rt(ctx context.Context) []Row {
	emu, err := b.startEmu(ctx)
	if err != nil {
		return []Row{{Measure: "RT", Err: err.Error()}, {Measure: "RT", Err: err.Error()}, {Measure: "RT backlog", Err: err.Error()},
			{Measure: "RT faults", Err: err.Error()}}
	}
	defer emu.stop()
	return []Row{b.rtLatency(ctx, emu, 0), b.rtLatency(ctx, emu, rtRate), b.rtRecovery(ctx, emu), b.rtFaults(ctx, emu)}
}

// rtRate is the fixed sale rate of the second latency row: a busy store's lanes together, a
// rate the RT keeps up with (the closed-loop row sells as fast as the agent can, far faster than
// one RT registers, so the worker is never idle there).
const rtRate = 50

// rtRuns is how many alternating runs (IT, "") each latency row makes.
const rtRuns = 5

// cpuPlan is where the emulator and the agents run: on a machine with 4 or more cores the
// emulator gets the last core and the agents the others (the load generator is not pinned);
// with fewer, nothing is pinned (one core for the agent would measure a smaller machine).
func cpuPlan() (emu, agents []int) {
	n := runtime.NumCPU()
	if n < 4 {
		return nil, nil
	}
	for i := range n - 1 {
		agents = append(agents, i)
	}
	return []int{n - 1}, agents
}

func pinNote(emuCPUs, agentCPUs []int, err error) string {
	switch {
	case err != nil:
		return "not pinned (" + err.Error() + ")"
	case emuCPUs == nil:
		return fmt.Sprintf("not pinned: %d cores, the emulator shares them with the agent", runtime.NumCPU())
	}
	return fmt.Sprintf("emulator pinned to CPU %v, agents to CPUs %v", emuCPUs, agentCPUs)
}

// rtLatency measures sale p99 with and without the RT: closed-loop with -clients when rate is 0,
// else at rate sales/s.
func (b *bench) rtLatency(ctx context.Context, emu *emuProc, rate float64) Row {
	row := Row{Measure: fmt.Sprintf("sale p99 via HTTP with fiscal.country IT (RT emulator), %d clients", b.o.clients), Unit: "ms",
		BaselineName: `the same sales with fiscal.country ""`, Goal: AtMostRatio(1.1)}
	if rate > 0 {
		row.Measure = fmt.Sprintf("sale p99 via HTTP with fiscal.country IT (RT emulator), %.0f sales/s", rate)
	}
	client := httpClient()
	before, err := emu.state()
	if err != nil {
		row.Err = err.Error()
		return row
	}
	_, agentCPUs := cpuPlan()
	var on, off, ratios []float64
	var n, nOff int
	var pinErr error
	var cpuOn, cpuOff time.Duration // the agents' CPU time, with and without the RT
	emuCPU0, emuCPUErr := procCPU(emu.cmd.Process.Pid)
	for run := range rtRuns {
		var pair [2]float64
		for _, it := range []bool{run%2 == 0, run%2 != 0} {
			s := agentSetup{}
			if it {
				s.rtURL = emu.url
			}
			p, err := b.startAgent(ctx, s)
			if err != nil {
				row.Err = err.Error()
				return row
			}
			if agentCPUs != nil {
				if err := pinProcess(p.cmd.Process.Pid, agentCPUs); err != nil {
					pinErr = err
				}
			}
			sell := func(i int) error { return p.sale(client, i, b.o.items) }
			var r benchkit.Result
			if rate > 0 {
				r = benchkit.FixedRate(ctx, rate, max(10, int(rate*(b.o.salesDuration/3).Seconds())), sell)
			} else {
				r = benchkit.Closed(ctx, b.o.clients, 0, b.o.salesDuration/3, sell)
			}
			cpu, cpuErr := procCPU(p.cmd.Process.Pid)
			p.stop()
			if r.Err != nil {
				row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
				return row
			}
			if it {
				on, n, pair[0] = append(on, r.P(0.99)), n+r.N, r.P(0.99)
				if cpuErr == nil {
					cpuOn += cpu
				}
			} else {
				off, nOff, pair[1] = append(off, r.P(0.99)), nOff+r.N, r.P(0.99)
				if cpuErr == nil {
					cpuOff += cpu
				}
			}
		}
		if pair[1] > 0 {
			ratios = append(ratios, pair[0]/pair[1])
		}
	}
	after, err := emu.state()
	if err != nil {
		row.Err = err.Error()
		return row
	}
	row.Value, row.Baseline = median(on), median(off)
	var rs []string
	for _, r := range ratios {
		rs = append(rs, fmt.Sprintf("%.2f", r))
	}
	emuCPUs, _ := cpuPlan()
	docs := after.Documents - before.Documents
	cost := ""
	if emuCPU1, err := procCPU(emu.cmd.Process.Pid); err == nil && emuCPUErr == nil && n > 0 && nOff > 0 && docs > 0 {
		cost = fmt.Sprintf("; CPU per sale: agent %.2f ms with the RT, %.2f ms without; emulator %.2f ms per document",
			float64(cpuOn.Microseconds())/1000/float64(n), float64(cpuOff.Microseconds())/1000/float64(nOff),
			float64((emuCPU1-emuCPU0).Microseconds())/1000/float64(docs))
	}
	row.Notes = fmt.Sprintf("median p99 of %d alternating runs each on fresh agents (per-run ratios %s); %d sales with the RT, %d registered on it while the runs lasted%s; %s",
		rtRuns, strings.Join(rs, " "), n, docs, cost, pinNote(emuCPUs, agentCPUs, pinErr))
	return row
}

// rtRecovery: rtSales sales made while the RT is out of paper, all registered how long after it is back.
func (b *bench) rtRecovery(ctx context.Context, emu *emuProc) Row {
	row := Row{Measure: fmt.Sprintf("all of %d sales made during one paper end registered after the RT is back", rtSales), Unit: "s",
		Goal: BelowValue(5)}
	p, err := b.startAgent(ctx, agentSetup{rtURL: emu.url})
	if err != nil {
		row.Err = err.Error()
		return row
	}
	defer p.stop()
	client := httpClient()
	st0, err := emu.state()
	if err != nil {
		row.Err = err.Error()
		return row
	}
	if err := emu.paper(false, true); err != nil {
		row.Err = err.Error()
		return row
	}
	r := benchkit.Closed(ctx, 4, rtSales, 0, func(i int) error { return p.sale(client, i, b.o.items) })
	if r.Err != nil {
		row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
		return row
	}
	time.Sleep(3 * time.Second) // the worker keeps trying: its backoff reaches its 2 s ceiling
	st1, _ := emu.state()
	if err := emu.paper(false, false); err != nil {
		row.Err = err.Error()
		return row
	}
	back := time.Now()
	deadline := back.Add(60 * time.Second)
	var st fpmateemu.State
	for {
		if st, err = emu.state(); err == nil && st.Documents-st0.Documents >= rtSales {
			break
		}
		if time.Now().After(deadline) {
			row.Err = fmt.Sprintf("%d of %d sales registered 60 s after the RT came back", st.Documents-st0.Documents, rtSales)
			return row
		}
		time.Sleep(10 * time.Millisecond)
	}
	row.Value = time.Since(back).Seconds()
	state, err := p.rtPending(client)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	row.Notes = fmt.Sprintf("%d documents refused while the paper was out; %d RT documents for %d sales; RT state after: %s",
		st1.Requests["printerFiscalReceipt"]-st0.Requests["printerFiscalReceipt"], st.Documents-st0.Documents, rtSales, state)
	return row
}

// rtFaultKinds are the faults rtFaults cycles through: each makes the RT fail the next document
// request (after registering it, for the commit ones), paper_end until it is put back.
var rtFaultKinds = []fpmateemu.ControlFault{
	{Kind: "paper_end"}, {Kind: "drop", Commit: true}, {Kind: "drop"}, {Kind: "http500", Commit: true}, {Kind: "http500"},
	{Kind: "malformed", Commit: true}, {Kind: "rec_empty"}, {Kind: "doc_open"}, {Kind: "no_answer", Commit: true},
	{Kind: "drop_mid_response", Commit: true},
}

// rtFaults makes -rt-faults separate faults, one sale each: the fault is injected, the sale
// made, and once the fault has happened (the faulted request answered or dropped; for paper end,
// the paper put back after the RT refused the sale) the RT counts as back; the row is the
// longest time from there to the sale's fiscal object saying registered (GET /api/v1/sales/{id}).
func (b *bench) rtFaults(ctx context.Context, emu *emuProc) Row {
	n := b.o.rtFaults
	row := Row{Measure: fmt.Sprintf("each of %d sales registered after the RT is back from its own fault (max)", n), Unit: "s",
		Goal: BelowValue(5)}
	p, err := b.startAgent(ctx, agentSetup{rtURL: emu.url})
	if err != nil {
		row.Err = err.Error()
		return row
	}
	defer p.stop()
	client := httpClient()
	st0, err := emu.state()
	if err != nil {
		row.Err = err.Error()
		return row
	}
	var waits []time.Duration
	var ids []string
	for i := range n {
		if ctx.Err() != nil {
			row.Err = ctx.Err().Error()
			return row
		}
		f := rtFaultKinds[i%len(rtFaultKinds)]
		before, err := emu.state()
		if err == nil {
			if f.Kind == "paper_end" {
				err = emu.paper(false, true)
			} else {
				f.On = "printerFiscalReceipt"
				err = emu.fault(f)
			}
		}
		id := uuid.Must(uuid.NewV7()).String()
		if err == nil {
			err = p.saleID(client, id, i, b.o.items)
		}
		if err != nil {
			row.Err = fmt.Sprintf("fault %d (%s): %v", i+1, f.Kind, err)
			return row
		}
		ids = append(ids, id)
		// Wait for the fault to happen: the faulted request came (and its fault was used up).
		deadline := time.Now().Add(30 * time.Second)
		for {
			st, err := emu.state()
			if err == nil && st.Requests["printerFiscalReceipt"] > before.Requests["printerFiscalReceipt"] && st.Faults == 0 {
				break
			}
			if time.Now().After(deadline) {
				row.Err = fmt.Sprintf("fault %d (%s): the agent never sent the sale to the RT", i+1, f.Kind)
				return row
			}
			time.Sleep(2 * time.Millisecond)
		}
		if f.Kind == "paper_end" {
			if err := emu.paper(false, false); err != nil {
				row.Err = err.Error()
				return row
			}
		}
		back := time.Now()
		for {
			fr, err := p.fiscalOf(client, id)
			if err == nil && fr.Status == pos.RTRegistered {
				break
			}
			if err == nil && fr.Status == pos.RTFailed {
				row.Err = fmt.Sprintf("fault %d (%s): sale failed: %s", i+1, f.Kind, fr.Error)
				return row
			}
			if time.Since(back) > 60*time.Second {
				row.Err = fmt.Sprintf("fault %d (%s): sale not registered 60 s after the RT came back", i+1, f.Kind)
				return row
			}
			time.Sleep(5 * time.Millisecond)
		}
		waits = append(waits, time.Since(back))
	}
	st, err := emu.state()
	if err != nil {
		row.Err = err.Error()
		return row
	}
	pending := 0
	for _, id := range ids {
		if fr, err := p.fiscalOf(client, id); err != nil || fr.Status != pos.RTRegistered {
			pending++
		}
	}
	slices.Sort(waits)
	row.Value = waits[len(waits)-1].Seconds()
	row.Notes = fmt.Sprintf("p99 %.2f s, median %.2f s; %d faults (%s), %d RT documents for %d sales: %d double, %d pending",
		benchkit.Percentile(waits, 0.99).Seconds(), benchkit.Percentile(waits, 0.5).Seconds(), n, faultMix(n),
		st.Documents-st0.Documents, len(ids), st.Documents-st0.Documents-len(ids), pending)
	if st.Documents-st0.Documents != len(ids) || pending != 0 {
		row.Err = fmt.Sprintf("%d RT documents for %d sales, %d not registered", st.Documents-st0.Documents, len(ids), pending)
	}
	return row
}

func faultMix(n int) string {
	var kinds []string
	for i := range min(n, len(rtFaultKinds)) {
		k := rtFaultKinds[i]
		s := k.Kind
		if k.Commit {
			s += " after registering"
		}
		kinds = append(kinds, s)
	}
	return strings.Join(kinds, ", ")
}

// saleID posts sale number i under id (as sale, paid by card).
func (p *agentProc) saleID(client *http.Client, id string, i, n int) error {
	var lines []pos.LineRequest
	var total int64
	for k := range 3 {
		item := (i*3 + k*7919) % n
		qty := int64(1 + k%2)
		lines = append(lines, pos.LineRequest{Code: posbench.CatalogSKU(item), Qty: &qty})
		total += qty * posbench.CatalogPrice(item)
	}
	body, _ := json.Marshal(pos.SaleRequest{SaleID: id, Terminal: "lane1", Cashier: "bench",
		Lines: lines, Payments: []pos.Payment{{Method: "card", AmountMinor: total}}})
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/sales", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+p.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /api/v1/sales: status %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}

// fiscalOf is the sale's fiscal object (GET /api/v1/sales/{id}).
func (p *agentProc) fiscalOf(client *http.Client, id string) (pos.FiscalRef, error) {
	req, _ := http.NewRequest("GET", p.URL+"/api/v1/sales/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+p.Token)
	resp, err := client.Do(req)
	if err != nil {
		return pos.FiscalRef{}, err
	}
	defer resp.Body.Close()
	var s pos.Sale
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&s); err != nil || s.Fiscal == nil {
		return pos.FiscalRef{}, fmt.Errorf("GET sale %s: %d %v", id, resp.StatusCode, err)
	}
	return *s.Fiscal, nil
}

// rtPending reads the RT's state from /api/v1/status.
func (p *agentProc) rtPending(client *http.Client) (string, error) {
	req, _ := http.NewRequest("GET", p.URL+"/api/v1/status", nil)
	req.Header.Set("Authorization", "Bearer "+p.Token)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var st struct {
		Devices []struct{ Name, State string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return "", err
	}
	for _, d := range st.Devices {
		if d.Name == "rt" {
			return d.State, nil
		}
	}
	return "", fmt.Errorf("/api/v1/status names no rt device")
}

// emuProc is the fpmate emulator in its own process (storebench fpmateemu), driven through its
// control API.
type emuProc struct {
	cmd    *exec.Cmd
	url    string // the fpmate endpoint
	base   string // http://addr
	client *http.Client
	exited chan struct{}
	logs   syncWriter
}

// runEmuCmd is "storebench fpmateemu -addr ADDR": the emulator with its control API (as
// cmd/fpmateemu -control), until SIGTERM.
func runEmuCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fpmateemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	url, done, err := fpmateemu.New("").StartControl(ctx, *addr)
	if err != nil {
		fmt.Fprintln(stderr, "storebench fpmateemu:", err)
		return 1
	}
	fmt.Fprintln(stdout, url)
	if err := <-done; err != nil {
		fmt.Fprintln(stderr, "storebench fpmateemu:", err)
		return 1
	}
	return 0
}

func (b *bench) startEmu(ctx context.Context) (*emuProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	e := &emuProc{url: "http://" + addr + "/cgi-bin/fpmate.cgi", base: "http://" + addr, client: &http.Client{Timeout: 5 * time.Second},
		exited: make(chan struct{}), logs: syncWriter{w: &bytes.Buffer{}}}
	e.cmd = exec.Command(b.exe, "fpmateemu", "-addr", addr)
	e.cmd.Env = append(os.Environ(), childEnv+"=1")
	e.cmd.Stdout, e.cmd.Stderr = &e.logs, &e.logs
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the RT emulator: %w", err)
	}
	go func() { e.cmd.Wait(); close(e.exited) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := e.state(); err == nil {
			break
		}
		select {
		case <-e.exited:
			return nil, fmt.Errorf("the RT emulator exited: %s", e.logs.w.(*bytes.Buffer).String())
		default:
		}
		if time.Now().After(deadline) {
			e.stop()
			return nil, fmt.Errorf("the RT emulator did not answer within 15 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if cpus, _ := cpuPlan(); cpus != nil {
		if err := pinProcess(e.cmd.Process.Pid, cpus); err != nil {
			b.logf("rt: could not pin the emulator: %v", err)
		}
	}
	return e, nil
}

func (e *emuProc) stop() {
	e.cmd.Process.Signal(os.Interrupt)
	select {
	case <-e.exited:
	case <-time.After(5 * time.Second):
		e.cmd.Process.Kill()
		<-e.exited
	}
}

func (e *emuProc) post(path string, v any) error {
	body, _ := json.Marshal(v)
	resp, err := e.client.Post(e.base+fpmateemu.ControlPath+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("RT emulator %s: %w", path, err)
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("RT emulator %s: %d %s", path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}

func (e *emuProc) paper(low, end bool) error {
	return e.post("paper", map[string]bool{"low": low, "end": end})
}

func (e *emuProc) fault(f fpmateemu.ControlFault) error { return e.post("fault", f) }

func (e *emuProc) state() (fpmateemu.State, error) {
	var st fpmateemu.State
	resp, err := e.client.Get(e.base + fpmateemu.ControlPath + "state")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("RT emulator state: %d", resp.StatusCode)
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&st)
	return st, err
}
