package devtest

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

// ESC/POS real-time status request: DLE EOT n (n = 1 printer, 2 offline cause, 3 error cause,
// 4 roll paper sensor), Epson ESC/POS Application Programming Guide, "DLE EOT".
const (
	dle = 0x10
	eot = 0x04
	gs  = 0x1d
)

// TCPPrinter is a loopback stand-in for a network receipt printer on port 9100. It records the
// bytes it receives (status requests included) and can answer DLE EOT n with set status bytes,
// drop the connection after a number of bytes, or stall (stop reading).
type TCPPrinter struct {
	// Addr is host:port to configure as the printer's path.
	Addr string

	ln        net.Listener
	mu        sync.Mutex
	data      bytes.Buffer
	status    map[byte]byte
	dropAfter int
	stalled   bool
	conns     int
	asbOn     int
	noASB     bool
	closed    bool
	open      map[net.Conn]struct{}
	wg        sync.WaitGroup
}

// NewTCPPrinter starts a printer on 127.0.0.1; it stops when the test ends.
func NewTCPPrinter(t testing.TB) *TCPPrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("devtest: listen: %v", err)
	}
	p := &TCPPrinter{Addr: ln.Addr().String(), ln: ln, status: map[byte]byte{}, open: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// SetStatus makes the printer answer DLE EOT n with status (e.g. n=4, 0x72: paper near end and
// out, for Epson TM printers; 0x12 is the "all fine" value of every n).
func (p *TCPPrinter) SetStatus(n, status byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status[n] = status
}

// DropAfter makes the printer close each connection once it has received n bytes on it
// (0: never), like a printer switched off mid-job.
func (p *TCPPrinter) DropAfter(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropAfter = n
}

// Stall stops (true) or resumes (false) reading, like a printer out of paper with a full buffer.
func (p *TCPPrinter) Stall(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = on
}

// Bytes returns everything received so far, over all connections.
func (p *TCPPrinter) Bytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.data.Bytes())
}

// Connections returns how many connections were accepted.
func (p *TCPPrinter) Connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

// Close stops the printer and closes its connections.
func (p *TCPPrinter) Close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *TCPPrinter) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns++
		p.open[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go p.serve(c)
	}
}

func (p *TCPPrinter) serve(c net.Conn) {
	defer p.wg.Done()
	defer func() {
		c.Close()
		p.mu.Lock()
		delete(p.open, c)
		p.mu.Unlock()
	}()
	buf := make([]byte, 4096)
	got := 0
	var pending []byte // tail of a DLE EOT split across reads
	for {
		p.mu.Lock()
		stalled, drop := p.stalled, p.dropAfter
		p.mu.Unlock()
		if stalled {
			if p.isClosed() {
				return
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		n, err := c.Read(buf)
		chunk := buf[:n]
		if drop > 0 && got+n >= drop {
			chunk = chunk[:max(0, drop-got)]
		}
		got += len(chunk)
		p.mu.Lock()
		p.data.Write(chunk)
		p.mu.Unlock()
		pending = p.answer(c, append(pending, chunk...))
		if drop > 0 && got >= drop {
			return
		}
		var ne net.Error
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
			return
		}
	}
}

func (p *TCPPrinter) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// asbReport is the 4-byte Automatic Status Back message matching the DLE EOT statuses set (Epson
// ESC/POS "GS a": byte 1 off-line bit 3, cover open bit 5; byte 2 error bits 2, 3, 5, 6; byte 3
// paper near end bits 0-1, paper end bits 2-3), or nil when the printer answers nothing.
func (p *TCPPrinter) asbReport() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	s1, ok := p.status[1]
	if !ok || p.noASB {
		return nil
	}
	get := func(n byte) byte {
		if v, ok := p.status[n]; ok {
			return v
		}
		return 0x12
	}
	r := []byte{0x10, 0, 0, 0}
	if s1&0x08 != 0 {
		r[0] |= 0x08
	}
	if get(2)&0x04 != 0 {
		r[0] |= 0x20
	}
	r[1] = get(3) & 0x68
	if get(4)&0x0c != 0 {
		r[2] |= 0x03
	}
	if get(4)&0x60 != 0 {
		r[2] |= 0x0c
	}
	return r
}

// SetASB turns the printer's Automatic Status Back support on (the default) or off (a model, or
// memory-switch setting, that ignores GS a).
func (p *TCPPrinter) SetASB(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noASB = !on
}

// ASBRequests reports how many times ASB was enabled (GS a n, n ≠ 0) on any connection.
func (p *TCPPrinter) ASBRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.asbOn
}

// answer replies to each complete DLE EOT n in b (the status byte set for n) and to each GS a n
// that enables Automatic Status Back (the current status at once, as Epson printers do), and
// returns an incomplete trailing request.
func (p *TCPPrinter) answer(c net.Conn, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		if b[i] == gs && i+2 < len(b) && b[i+1] == 'a' {
			if b[i+2]&0x0f != 0 {
				p.mu.Lock()
				p.asbOn++
				p.mu.Unlock()
				if r := p.asbReport(); r != nil {
					_, _ = c.Write(r)
				}
			}
			i += 2
			continue
		}
		if b[i] != dle {
			continue
		}
		if i+2 >= len(b) {
			if i+1 == len(b) || b[i+1] == eot {
				return bytes.Clone(b[i:])
			}
			continue
		}
		if b[i+1] != eot {
			continue
		}
		p.mu.Lock()
		st, ok := p.status[b[i+2]]
		p.mu.Unlock()
		if ok {
			_, _ = c.Write([]byte{st})
		}
		i += 2
	}
	return nil
}
