// Command fpmateemu runs the Epson RT fpmate emulator on a TCP address, for trying the agent's
// Italian fiscal flow without a printer:
//
//	fpmateemu -addr 127.0.0.1:8089 -serial 99MEY012345
//
// and point fiscal.printer.url at the URL it prints.
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
	flag.Parse()
	if len(*serial) != 11 {
		fmt.Fprintln(os.Stderr, "fpmateemu: -serial must be 11 characters")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	url, done, err := fpmateemu.New(*serial).Start(ctx, *addr)
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
