// Command fpmateemu runs the Epson RT fpmate emulator on a TCP address, for trying the agent's
// Italian fiscal flow without a printer:
//
//	fpmateemu -addr 127.0.0.1:8089 -serial 99MEY012345
//
// and point fiscal.printer.url at the URL it prints. With -control it also serves the control API
// under /emu/ (paper, faults, state, documents: see fpmateemu.ControlHandler), which storebench
// uses to run the emulator in its own process.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "listen address")
	serial := flag.String("serial", "99MEY012345", "RT serial number (11 characters)")
	control := flag.Bool("control", false, "also serve the control API under /emu/ (faults, paper, state)")
	flag.Parse()
	if len(*serial) != 11 {
		fmt.Fprintln(os.Stderr, "fpmateemu: -serial must be 11 characters")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := fpmateemu.New(*serial).Start
	if *control {
		start = fpmateemu.New(*serial).StartControl
	}
	url, done, err := start(ctx, *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fpmateemu:", err)
		os.Exit(1)
	}
	fmt.Println(url)
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, "fpmateemu:", err)
		os.Exit(1)
	}
}
