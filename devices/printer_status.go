package devices

import (
	"context"
	"errors"
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

// errNoASB is a printer that did not send a status report when ASB was enabled.
var errNoASB = errors.New("no Automatic Status Back report")

// asbStatus enables Automatic Status Back (GS a n with every status group; Epson ESC/POS Command
// Reference, "GS a": the printer transmits its current status at once, then on every change)
// and reads the first 4-byte report. Later reports that arrive while a job or a DLE EOT exchange
// runs are told apart by their fixed bits and skipped (statusByte).
func asbStatus(ctx context.Context, port Port, timeout time.Duration) (escpos.Status, error) {
	if wo, ok := port.(interface{ writeOnly() bool }); ok && wo.writeOnly() {
		return escpos.Status{}, ErrWriteOnly
	}
	if _, err := port.Write([]byte{0x1d, 'a', escpos.ASBAll}); err != nil {
		return escpos.Status{}, fmt.Errorf("enable ASB: %w", err)
	}
	var report []byte
	buf := make([]byte, 1)
	deadline := time.Now().Add(timeout)
	for {
		if err := ctx.Err(); err != nil {
			return escpos.Status{}, err
		}
		got, err := port.Read(buf)
		if err != nil {
			return escpos.Status{}, fmt.Errorf("ASB report: %w", err)
		}
		if got == 1 {
			switch {
			case len(report) == 0 && escpos.IsASBHeader(buf[0]):
				report = append(report, buf[0])
			case len(report) > 0:
				report = append(report, buf[0])
			}
			if len(report) == 4 {
				return escpos.ParseASB(report)
			}
			continue
		}
		if time.Now().After(deadline) {
			return escpos.Status{}, errNoASB
		}
	}
}

// disableASB turns Automatic Status Back off again (GS a 0) before the port is closed.
func disableASB(port Port) { _, _ = port.Write([]byte{0x1d, 'a', 0}) }
