package devices

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// States lists every state a Manager reports, for the contract check against the OpenAPI enum
// of `event: device` (pos/openapi.yaml).
func States() []string {
	return []string{StateConnected, StateReconnecting, StateFailed, StatePaperLow, StatePaperOut, StateCoverOpen,
		StateDrawerOpen, StateDrawerClosed}
}

// printerPresence is a printer's state as far as its device node tells: a local node (usblp,
// serial) that exists is connected, one that does not is reconnecting (jobs wait and retry until
// it appears). A network printer is reconnecting until the driver first reaches it. The printer
// driver refines the state (paper_low, paper_out, cover_open, failed) when it talks to the device.
func printerPresence(s Spec) (state, reason string) {
	if s.Transport == TransportTCP {
		return StateReconnecting, "not contacted yet: its state is known after the first print"
	}
	if _, err := os.Stat(s.Path); errors.Is(err, fs.ErrNotExist) {
		return StateReconnecting, s.Path + " is not present: check the printer's cable and power"
	} else if err != nil {
		return StateFailed, err.Error()
	}
	return StateConnected, ""
}

// watchPrinter keeps a local printer's state true to its device node between jobs: when the node
// disappears (unplugged, switched off) the printer becomes reconnecting, and when it comes back
// it becomes connected again. States the driver read from the printer are kept while the node is
// there. It returns when ctx is cancelled; every ≤ 0 turns it off.
func (m *Manager) watchPrinter(ctx context.Context, s Spec, every time.Duration) {
	if every <= 0 || s.Transport == TransportTCP {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		state, reason := printerPresence(s)
		m.mu.Lock()
		cur := *m.states[s.Name]
		m.mu.Unlock()
		switch {
		case state != StateConnected:
			_ = m.SetState(s.Name, state, reason)
		case cur.State == StateReconnecting:
			_ = m.SetState(s.Name, StateConnected, "")
		}
	}
}
