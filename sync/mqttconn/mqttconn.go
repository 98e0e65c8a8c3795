// Package mqttconn dials the broker for a paho client with a buffered reader under it. paho reads
// each packet with three or more small reads (the header byte, each remaining-length byte, the
// body), one system call each; with a few kilobytes of buffer a burst of PUBACKs or publishes
// costs a handful of reads instead. The agent's sync link and the central simulator use it.
package mqttconn

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	gosync "sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// readBuffer is the size of the read buffer under each connection.
const readBuffer = 32 << 10

// Use sets o to dial tcp:// (mqtt://), ssl:// (tls://, mqtts://, tcps://), ws:// and wss:// brokers
// through Dial. Any connection when $all_proxy names a proxy (which paho's own dialer honours)
// keeps paho's dialer, unbuffered and unbounded.
func Use(o *mqtt.ClientOptions) *mqtt.ClientOptions { return UseLimit(o, MaxPacket, nil) }

// UseLimit is Use with a bound on the packets read: an oversized PUBLISH is skipped before its
// body is read (see packetReader) and reported to onDrop (nil: not reported).
func UseLimit(o *mqtt.ClientOptions, maxPacket int, onDrop func(topic string, size int)) *mqtt.ClientOptions {
	if os.Getenv("all_proxy") != "" || os.Getenv("ALL_PROXY") != "" {
		return o
	}
	for _, u := range o.Servers {
		if !supported(u.Scheme) {
			return o
		}
	}
	return o.SetCustomOpenConnectionFn(func(uri *url.URL, o mqtt.ClientOptions) (net.Conn, error) {
		c, err := Dial(uri, o)
		if err != nil {
			return nil, err
		}
		bc := c.(*bufConn)
		// The skipped packet's PUBACK is written from paho's reading goroutine: through bc, whose
		// writes are serialised with paho's own (a websocket takes one writer at a time).
		bc.pr = &packetReader{r: bc.r, conn: bc, max: maxPacket, onDrop: onDrop}
		return bc, nil
	})
}

func supported(scheme string) bool {
	switch scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts", "tcps", "ws", "wss":
		return true
	}
	return false
}

// Dial opens the connection as paho would (the options' dialer and connect timeout, TLS with the
// options' TLS config for the secure schemes) and puts a buffered reader under it.
func Dial(uri *url.URL, o mqtt.ClientOptions) (net.Conn, error) {
	d := o.Dialer
	if d == nil {
		d = &net.Dialer{}
	}
	if o.ConnectTimeout > 0 && (d.Timeout == 0 || o.ConnectTimeout < d.Timeout) {
		dd := *d
		dd.Timeout = o.ConnectTimeout
		d = &dd
	}
	var conn net.Conn
	var err error
	switch uri.Scheme {
	case "tcp", "mqtt":
		conn, err = d.Dial("tcp", uri.Host)
	case "ssl", "tls", "mqtts", "tcps":
		conn, err = tls.DialWithDialer(d, "tcp", uri.Host, o.TLSConfig)
	case "ws", "wss":
		// paho's own websocket connection (a net.Conn over gorilla/websocket that streams each
		// message), so the packet bound below applies to it too.
		dialURI := *uri
		dialURI.User = nil // gorilla refuses URLs with user info (paho #623)
		var tlsc *tls.Config
		if uri.Scheme == "wss" {
			tlsc = o.TLSConfig
		}
		conn, err = mqtt.NewWebsocket(dialURI.String(), tlsc, o.ConnectTimeout, o.HTTPHeaders, o.WebsocketOptions)
	default:
		return nil, fmt.Errorf("mqttconn: unsupported scheme %q", uri.Scheme)
	}
	if err != nil {
		return nil, err
	}
	return &bufConn{Conn: conn, r: bufio.NewReaderSize(conn, readBuffer)}, nil
}

// bufConn reads through a bufio.Reader; writes and write deadlines are serialised (a websocket
// connection allows one writer at a time, and paho sets deadlines outside its own write lock);
// everything else goes straight to the connection.
type bufConn struct {
	net.Conn
	r   *bufio.Reader
	pr  *packetReader // nil: no packet bound
	wmu gosync.Mutex
}

func (c *bufConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.Conn.Write(p)
}

func (c *bufConn) SetWriteDeadline(t time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

func (c *bufConn) SetDeadline(t time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.Conn.SetDeadline(t)
}

func (c *bufConn) Read(p []byte) (int, error) {
	if c.pr != nil {
		return c.pr.Read(p)
	}
	return c.r.Read(p)
}
