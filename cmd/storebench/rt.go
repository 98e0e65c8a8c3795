package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
)

// rtSales is how many sales the RT recovery measure makes while the RT is out of paper.
const rtSales = 100

// rt measures the Italian RT registration (fiscal.country IT, the fpmate emulator over loopback
// as the RT): the sale latency over HTTP against the same agent with fiscal.country "" in the
// same run, and how long a backlog of rtSales sales, made while the RT refused every document,
// takes to be registered once the RT is back.
func (b *bench) rt(ctx context.Context) []Row {
	emu := fpmateemu.New("")
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	url, _, err := emu.Start(ectx, "127.0.0.1:0")
	if err != nil {
		return []Row{{Measure: "RT", Err: err.Error()}, {Measure: "RT recovery", Err: err.Error()}}
	}
	return []Row{b.rtLatency(ctx, emu, url, 0), b.rtLatency(ctx, emu, url, rtRate), b.rtRecovery(ctx, emu, url)}
}

// rtRate is the fixed sale rate of the second latency row: a busy store's lanes together, a
// rate the RT keeps up with (the closed-loop row sells as fast as the agent can, far faster than
// one RT registers, so the worker is never idle there).
const rtRate = 50

// rtLatency measures sale p99 with and without the RT: closed-loop with -clients when rate is 0,
// else at rate sales/s.
func (b *bench) rtLatency(ctx context.Context, emu *fpmateemu.Emulator, url string, rate float64) Row {
	row := Row{Measure: fmt.Sprintf("sale p99 via HTTP with fiscal.country IT (RT emulator), %d clients", b.o.clients), Unit: "ms",
		BaselineName: `the same sales with fiscal.country ""`, Goal: AtMostRatio(1.1)}
	if rate > 0 {
		row.Measure = fmt.Sprintf("sale p99 via HTTP with fiscal.country IT (RT emulator), %.0f sales/s", rate)
	}
	client := httpClient()
	before := len(emu.Documents())
	var on, off []float64
	var n int
	for run := range 3 {
		for _, it := range []bool{run%2 == 0, run%2 != 0} {
			s := agentSetup{}
			if it {
				s.rtURL = url
			}
			p, err := b.startAgent(ctx, s)
			if err != nil {
				row.Err = err.Error()
				return row
			}
			sell := func(i int) error { return p.sale(client, i, b.o.items) }
			var r benchkit.Result
			if rate > 0 {
				r = benchkit.FixedRate(ctx, rate, max(10, int(rate*(b.o.salesDuration/3).Seconds())), sell)
			} else {
				r = benchkit.Closed(ctx, b.o.clients, 0, b.o.salesDuration/3, sell)
			}
			p.stop()
			if r.Err != nil {
				row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
				return row
			}
			if it {
				on, n = append(on, r.P(0.99)), n+r.N
			} else {
				off = append(off, r.P(0.99))
			}
		}
	}
	row.Value, row.Baseline = median(on), median(off)
	row.Notes = fmt.Sprintf("median p99 of 3 alternating runs each on fresh agents; %d sales with the RT, %d registered on it while the runs lasted",
		n, len(emu.Documents())-before)
	return row
}

func (b *bench) rtRecovery(ctx context.Context, emu *fpmateemu.Emulator, url string) Row {
	row := Row{Measure: fmt.Sprintf("all of %d sales registered after the RT is back from paper end", rtSales), Unit: "s",
		Goal: BelowValue(5)}
	p, err := b.startAgent(ctx, agentSetup{rtURL: url})
	if err != nil {
		row.Err = err.Error()
		return row
	}
	defer p.stop()
	client := httpClient()
	before := len(emu.Documents())
	refusedBefore := emu.Requests("printerFiscalReceipt")
	emu.SetPaper(false, true)
	r := benchkit.Closed(ctx, 4, rtSales, 0, func(i int) error { return p.sale(client, i, b.o.items) })
	if r.Err != nil {
		row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
		return row
	}
	time.Sleep(3 * time.Second) // the worker keeps trying: its backoff reaches its 2 s ceiling
	refused := emu.Requests("printerFiscalReceipt") - refusedBefore
	emu.SetPaper(false, false)
	back := time.Now()
	deadline := back.Add(60 * time.Second)
	for len(emu.Documents())-before < rtSales {
		if time.Now().After(deadline) {
			row.Err = fmt.Sprintf("%d of %d sales registered 60 s after the RT came back", len(emu.Documents())-before, rtSales)
			return row
		}
		time.Sleep(5 * time.Millisecond)
	}
	row.Value = time.Since(back).Seconds()
	pending, err := p.rtPending(client)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	row.Notes = fmt.Sprintf("%d documents refused while the paper was out; %d RT documents for %d sales; RT state after: %s",
		refused, len(emu.Documents())-before, rtSales, pending)
	return row
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
