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

// answer replies to each complete DLE EOT n in b and returns an incomplete trailing request.
func (p *TCPPrinter) answer(c net.Conn, b []byte) []byte {
	for i := 0; i < len(b); i++ {
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
