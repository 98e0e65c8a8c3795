package devices

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// DialTCP connects to a network printer (raw TCP, usually port 9100). The connection attempt
// gives up after connectTimeout; reads wait at most readTimeout and writes fail after
// writeTimeout, so a stalled printer cannot hang a print job (zero: defaults).
func DialTCP(ctx context.Context, addr string, connectTimeout, readTimeout, writeTimeout time.Duration) (Port, error) {
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	if writeTimeout <= 0 {
		writeTimeout = DefaultWriteTimeout
	}
	d := net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	return &tcpPort{c: c, rt: readTimeout, wt: writeTimeout}, nil
}

type tcpPort struct {
	c      net.Conn
	rt, wt time.Duration
}

func (p *tcpPort) Read(b []byte) (int, error) {
	if err := p.c.SetReadDeadline(time.Now().Add(p.rt)); err != nil {
		return 0, err
	}
	n, err := p.c.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	return n, err
}

func (p *tcpPort) Write(b []byte) (int, error) {
	if err := p.c.SetWriteDeadline(time.Now().Add(p.wt)); err != nil {
		return 0, err
	}
	return p.c.Write(b)
}

func (p *tcpPort) Close() error { return p.c.Close() }
