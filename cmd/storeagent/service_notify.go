package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// sdNotifier sends sd_notify(3) state messages to the service manager over the datagram socket
// named by $NOTIFY_SOCKET. Protocol: sd_notify(3) and systemd's "File descriptor store / Notify
// socket" interface notes: one AF_UNIX SOCK_DGRAM message of newline-separated VAR=value
// assignments; a socket name starting with '@' is in the Linux abstract namespace.
// A nil *sdNotifier (no $NOTIFY_SOCKET: not started by systemd with Type=notify) does nothing.
type sdNotifier struct {
	socket   string
	watchdog time.Duration // WatchdogSec from $WATCHDOG_USEC; 0 when the watchdog is off
}

// newSDNotifier reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from environ. pid is this
// process's id: systemd sets WATCHDOG_PID to the main PID, and a child must not ping for it.
func newSDNotifier(environ []string, pid int) *sdNotifier {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	sock := env["NOTIFY_SOCKET"]
	if sock == "" {
		return nil
	}
	n := &sdNotifier{socket: sock}
	if usec, err := strconv.ParseInt(env["WATCHDOG_USEC"], 10, 64); err == nil && usec > 0 {
		wpid, err := strconv.Atoi(env["WATCHDOG_PID"])
		if env["WATCHDOG_PID"] == "" || (err == nil && wpid == pid) {
			n.watchdog = time.Duration(usec) * time.Microsecond
		}
	}
	return n
}

// Notify sends one state message, e.g. "READY=1" or "STOPPING=1".
func (n *sdNotifier) Notify(state string) error {
	if n == nil {
		return nil
	}
	name := n.socket
	if strings.HasPrefix(name, "@") {
		name = "\x00" + name[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify %s: %w", n.socket, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: %w", n.socket, err)
	}
	return nil
}

// Ready tells the manager the agent is serving and, when WatchdogSec is set, pings WATCHDOG=1 every
// half period until ctx ends (sd_watchdog_enabled(3) recommends pinging at half the interval).
// The returned function sends STOPPING=1 and stops the pings; call it when shutdown begins.
func (n *sdNotifier) Ready(ctx context.Context) (stopping func(), err error) {
	if n == nil {
		return func() {}, nil
	}
	if err := n.Notify("READY=1\nSTATUS=serving"); err != nil {
		return func() {}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if n.watchdog <= 0 {
			return
		}
		t := time.NewTicker(n.watchdog / 2)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				n.Notify("WATCHDOG=1") // a lost ping is retried next tick; systemd restarts us if all are lost
			}
		}
	}()
	return func() {
		cancel()
		<-done
		n.Notify("STOPPING=1")
	}, nil
}
