// Command caisseapemu runs the Caisse-AP over IP payment terminal emulator
// (devices/payterm/caisseapemu) for demos and manual tests: point a devices[] entry of type
// payment at its address.
//
//	caisseapemu -listen 127.0.0.1:8888 -mode success -delay 3s
//
// It logs every request it receives and how it answered.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/storeagent/storeagent/devices/payterm/caisseapemu"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "caisseapemu:", err)
		os.Exit(2)
	}
}

var modes = []caisseapemu.Mode{caisseapemu.Success, caisseapemu.Refused, caisseapemu.Abandon, caisseapemu.OperatorAbandon,
	caisseapemu.InputTimeout, caisseapemu.Silent, caisseapemu.Late, caisseapemu.WrongEcho, caisseapemu.WrongCurrency,
	caisseapemu.Garbage, caisseapemu.HangUp, caisseapemu.RedButton}

func run(args []string) error {
	fs := flag.NewFlagSet("caisseapemu", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8888", "host:port to listen on")
	mode := fs.String("mode", "success", fmt.Sprintf("how to answer: %v", modes))
	delay := fs.Duration("delay", 3*time.Second, "how long the terminal works before it answers")
	ac := fs.String("auth", "", "authorisation code of an approval (default 123456)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m := caisseapemu.Mode(*mode)
	known := false
	for _, k := range modes {
		known = known || k == m
	}
	if !known {
		return fmt.Errorf("-mode %q is not one of %v", *mode, modes)
	}
	e, err := caisseapemu.Start(*listen)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.Set(caisseapemu.Behaviour{Mode: m, Delay: *delay, AC: *ac}); err != nil {
		return err
	}
	fmt.Printf("caisseapemu: listening on %s, mode %s, delay %s\n", e.Addr(), m, *delay)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	seen := 0
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			reqs := e.Requests()
			for _, r := range reqs[seen:] {
				fmt.Printf("%s request %s (amount %s, CD %s)\n", r.At.Format(time.RFC3339), r.Raw, r.Fields["CB"], r.Fields["CD"])
			}
			seen = len(reqs)
		}
	}
}
