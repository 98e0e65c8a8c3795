package devices

import (
	"context"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/devices/escpos"
)

// errNoReply is a status request the printer did not answer in time.
var errNoReply = fmt.Errorf("%w: no reply to a status request (DLE EOT)", ErrPrinterNotReady)

// queryStatus asks the printer DLE EOT 1, 2, 3 and 4 in turn (Epson ESC/POS Command Reference,
// "DLE EOT: Transmit real-time status") and gathers the replies. Each reply is awaited for at most
// timeout. ErrWriteOnly comes back from a port that cannot be read.
func queryStatus(ctx context.Context, port Port, timeout time.Duration) (escpos.Status, error) {
	var st escpos.Status
	for n := 1; n <= 4; n++ {
		b, err := statusByte(ctx, port, n, timeout)
		if err != nil {
			return escpos.Status{}, err
		}
		if err := st.ApplyStatusReply(n, b); err != nil {
			return escpos.Status{}, err
		}
	}
	return st, nil
}

// statusByte sends DLE EOT n and returns the first byte that has the fixed bits of a status reply;
// other bytes (ASB messages, XON/XOFF) are skipped.
func statusByte(ctx context.Context, port Port, n int, timeout time.Duration) (byte, error) {
	req, err := escpos.StatusRequest(n)
	if err != nil {
		return 0, err
	}
	if wo, ok := port.(interface{ writeOnly() bool }); ok && wo.writeOnly() {
		return 0, ErrWriteOnly
	}
	buf := make([]byte, 1)
	if _, err := port.Write(req); err != nil {
		return 0, fmt.Errorf("status request DLE EOT %d: %w", n, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		got, err := port.Read(buf)
		if err != nil {
			return 0, fmt.Errorf("status reply DLE EOT %d: %w", n, err)
		}
		if got == 1 && escpos.IsStatusReply(buf[0]) {
			return buf[0], nil
		}
		if got == 0 && time.Now().After(deadline) {
			return 0, errNoReply
		}
	}
}

// writeOnly reports a usblp node (or FIFO) opened without read access: it cannot answer status
// requests, so none are sent to it.
func (p *filePort) writeOnly() bool { return !p.readable }
