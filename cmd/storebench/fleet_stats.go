package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	gosync "sync"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
)

// fleetDistinct counts the stores with a connection after since.
func fleetDistinct(all []fleetConnect, since time.Time) int {
	seen := map[int]bool{}
	for _, c := range all {
		if c.t.After(since) {
			seen[c.store] = true
		}
	}
	return len(seen)
}

// fleetDistinctOf counts the stores that pick accepts with a connection after since.
func fleetDistinctOf(all []fleetConnect, since time.Time, pick func(store int) bool) int {
	seen := map[int]bool{}
	for _, c := range all {
		if c.t.After(since) && pick(c.store) {
			seen[c.store] = true
		}
	}
	return len(seen)
}

// fleetPeakPerSecond is the most connections in one second counted from t0.
func fleetPeakPerSecond(all []fleetConnect, t0 time.Time) int {
	per := map[int64]int{}
	peak := 0
	for _, c := range all {
		s := int64(c.t.Sub(t0) / time.Second)
		per[s]++
		peak = max(peak, per[s])
	}
	return peak
}

// fleetHistogram counts the connections after the broker was killed per second since it came
// back, the stores among them, when the last came back, and the connections before the kill that
// were not a store's first.
func fleetHistogram(all []fleetConnect, stores int, killAt, backAt time.Time) (hist []int, reconnected int, allBack time.Duration, unexpected int) {
	first := map[int]bool{}
	back := map[int]bool{}
	for _, c := range all {
		if !c.t.After(killAt) {
			if first[c.store] {
				unexpected++
			}
			first[c.store] = true
			continue
		}
		s := max(0, int(c.t.Sub(backAt)/time.Second))
		for len(hist) <= s {
			hist = append(hist, 0)
		}
		hist[s]++
		back[c.store] = true
		allBack = max(allBack, c.t.Sub(backAt))
	}
	return hist, len(back), allBack, unexpected
}

// fleetCount compares what the stores appended with what central stored.
func fleetCount(ctx context.Context, res *fleetResult, stores []*fleetStore, central *fleetCentral) error {
	got, err := central.received(ctx)
	if err != nil {
		return err
	}
	res.Stored = len(got)
	for _, st := range stores {
		res.Sales += st.sales.Load()
		res.SaleErrors += st.failed.Load()
		evs, err := st.events(ctx)
		if err != nil {
			return fmt.Errorf("store %s: %w", st.id, err)
		}
		res.Appended += int64(len(evs))
		for id, acked := range evs {
			if !acked {
				res.Unacked++
			}
			if e, ok := got[id]; !ok || e.store != st.id {
				res.Lost++
				if acked {
					res.AckedLost++
				}
			}
		}
	}
	type stream struct{ store, topic, epoch string }
	seqs := map[stream]map[int64]int{}
	for _, e := range got {
		k := stream{e.store, e.topic, e.epoch}
		if seqs[k] == nil {
			seqs[k] = map[int64]int{}
		}
		seqs[k][e.seq]++
		res.Redeliveries += e.deliveries - 1
	}
	for _, m := range seqs {
		var top int64
		for seq, n := range m {
			res.Duplicates += n - 1
			top = max(top, seq)
		}
		res.Gaps += int(top) - len(m)
	}
	return nil
}

// fleetPeaks samples this process's goroutines and open files, and the broker's resident
// memory, once a second.
type fleetPeaks struct {
	mu              gosync.Mutex
	goroutines, fds int
	brokerMB        float64
	brokerPID       int
}

func (p *fleetPeaks) sample(ctx context.Context, brokerPID int) {
	p.brokerStarted(brokerPID)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		p.once()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *fleetPeaks) once() {
	g := runtime.NumGoroutine()
	fds := 0
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		fds = len(ents)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.goroutines = max(p.goroutines, g)
	p.fds = max(p.fds, fds)
	if p.brokerPID != 0 {
		if mb, err := benchkit.RSSMB(p.brokerPID); err == nil {
			p.brokerMB = max(p.brokerMB, mb)
		}
	}
}

// brokerStarted points the sampler at the (new) broker process; 0: none to sample.
func (p *fleetPeaks) brokerStarted(pid int) {
	p.mu.Lock()
	p.brokerPID = pid
	p.mu.Unlock()
}

func (p *fleetPeaks) result() (goroutines, fds int, brokerMB float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.goroutines, p.fds, p.brokerMB
}

// fleetPeakRSSMB is a process's peak resident memory (VmHWM) in MB (0 if unreadable).
func fleetPeakRSSMB(pid int) float64 {
	mb, _ := benchkit.ProcStatusMB(pid, "VmHWM")
	return mb
}
