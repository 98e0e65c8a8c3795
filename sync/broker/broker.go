// Package broker runs an embedded MQTT broker (github.com/mochi-mqtt/server/v2) on the loopback
// interface, for `storeagent demo` and hermetic tests. It allows every client: it never listens
// beyond 127.0.0.1.
package broker

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// Options configure the broker.
type Options struct {
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// Logger receives the broker's logs; nil discards them.
	Logger *slog.Logger
}

// Start starts a broker and returns its URL (tcp://127.0.0.1:PORT) and a stop function that
// closes it (idempotent). The broker also stops when ctx ends.
func Start(ctx context.Context, opts Options) (url string, stop func(), err error) {
	url, _, stop, err = start(ctx, opts, false)
	return url, stop, err
}

// StartWebsocket is Start with a websocket listener too, on another free loopback port; wsURL is
// ws://127.0.0.1:PORT/.
func StartWebsocket(ctx context.Context, opts Options) (url, wsURL string, stop func(), err error) {
	return start(ctx, opts, true)
}

func start(ctx context.Context, opts Options, withWS bool) (url, wsURL string, stop func(), err error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	caps := mochi.NewDefaultServerCapabilities()
	caps.MaximumClientWritesPending = 64 * 1024
	srv := mochi.New(&mochi.Options{Logger: logger, Capabilities: caps, InlineClient: true})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return "", "", nil, fmt.Errorf("embedded broker: %w", err)
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: fmt.Sprintf("127.0.0.1:%d", opts.Port)})
	if err := srv.AddListener(tcp); err != nil {
		return "", "", nil, fmt.Errorf("embedded broker: listen on 127.0.0.1:%d: %w", opts.Port, err)
	}
	var ws *listeners.Websocket
	if withWS {
		port, err := FreePort()
		if err != nil {
			return "", "", nil, fmt.Errorf("embedded broker: free port: %w", err)
		}
		ws = listeners.NewWebsocket(listeners.Config{ID: "ws", Address: fmt.Sprintf("127.0.0.1:%d", port)})
		if err := srv.AddListener(ws); err != nil {
			return "", "", nil, fmt.Errorf("embedded broker: websocket on 127.0.0.1:%d: %w", port, err)
		}
		wsURL = "ws://" + ws.Address() + "/"
	}
	if err := srv.Serve(); err != nil {
		srv.Close()
		return "", "", nil, fmt.Errorf("embedded broker: %w", err)
	}
	addr := tcp.Address()
	if _, _, err := net.SplitHostPort(addr); err != nil {
		srv.Close()
		return "", "", nil, fmt.Errorf("embedded broker: address %q: %w", addr, err)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
		}
		srv.Close()
		close(stopped)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() { close(done) })
		<-stopped
	}
	return "tcp://" + addr, wsURL, stop, nil
}
