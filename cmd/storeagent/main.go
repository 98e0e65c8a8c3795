// Command storeagent is the store-edge agent: the daemon on each store's PC that keeps selling when
// head office is unreachable. This file dispatches subcommands; each lives in its own file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/storeagent/storeagent/sync/fleet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ()}
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the CLI with its streams, so tests run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	Environ        []string
}

// usageError is a bad command line: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name, args, help string
	run              func(m *Main, ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"run", "[-config PATH] [-v]", "run the agent in the foreground", (*Main).runCmd},
		{"demo", "[-http ADDR] [-data DIR]", "run a self-contained demo store on embedded defaults", (*Main).demoCmd},
		{"check", "[-config PATH] [-offline-ok]", "config, data_dir, database, broker, devices: one ✓/✗ line each with the fix", (*Main).checkCmd},
		{"devices", "[-config PATH]", "list serial, USB and input devices with VID:PID and the matching profile", (*Main).devicesCmd},
		{"labels", "[-config PATH] [-o DIR] SKU...", "write shelf labels (PNG per label and A4 sheets of 24) for items of the replica", (*Main).labelsCmd},
		{"receipt", "[-config PATH] [-cols N] SALE_ID...", "print stored sales' receipts as plain text, laid out for N characters per line", (*Main).receiptCmd},
		{"decode", "[-json] IMAGE...", "print the barcodes and QR codes found in image files: symbology, data (escaped, one per line)", (*Main).decodeCmd},
		{"backup", "FILE [-config PATH]", "write a consistent copy of the database to FILE", (*Main).backupCmd},
		{"restore", "FILE [-config PATH] [-force]", "replace the database with a backup (agent stopped); gives it a new epoch; -force on a French fiscal store", (*Main).restoreCmd},
		{"fiscal", "verify|archive|verify-archive|close|retry [-config PATH] [-period P] [-o FILE] [FILE|SALE_ID|-all-failed]", "France: verify the fiscal journal, write or check a signed archive, close a period; Italy: retry a failed RT registration", (*Main).fiscalCmd},
		{"sync", "reset TOPIC [-config PATH]", "forget an inbound topic's seq (catalog, promotions, stock, reservations) and ask central to resend it (agent stopped)", (*Main).syncCmd},
		{"install", "[-config PATH]", "register the agent with the system service manager (systemd, Windows, launchd)", serviceCmd("install")},
		{"uninstall", "[-config PATH]", "remove the system service (config and data are kept)", serviceCmd("uninstall")},
		{"start", "[-config PATH]", "start the system service", serviceCmd("start")},
		{"stop", "[-config PATH]", "stop the system service (gracefully)", serviceCmd("stop")},
		{"restart", "[-config PATH]", "restart the system service", serviceCmd("restart")},
		{"status", "[-config PATH]", "say whether the system service is running; exit 1 if not", serviceCmd("status")},
		{"version", "", "print version, commit, Go version and OS/arch", (*Main).versionCmd},
	}
}

// Run runs one subcommand and returns the exit code: 0 ok, 1 failure, 2 bad usage.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 2 && args[0] == "help" {
		for _, c := range commands() {
			if c.name == args[1] {
				return m.Run(ctx, []string{c.name, "-h"})
			}
		}
		fmt.Fprintf(m.Stderr, "storeagent help: unknown command %q\n", args[1])
		m.usage(m.Stderr)
		return 2
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			m.usage(m.Stderr)
			return 2
		}
		m.usage(m.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(m, ctx, args[1:])
		var ue usageError
		var he helpError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &he):
			m.commandUsage(m.Stdout, c, he.fs)
			return 0
		case errors.Is(err, flag.ErrHelp):
			m.commandUsage(m.Stdout, c, nil)
			return 0
		case errors.Is(err, fleet.ErrRestart):
			// The service manager starts the agent again (systemd Restart=always).
			fmt.Fprintf(m.Stderr, "storeagent %s: %s; exiting with status %d to restart\n", c.name, oneLine(err.Error()), fleet.ExitRestart)
			return fleet.ExitRestart
		case errors.As(err, &ue):
			fmt.Fprintf(m.Stderr, "storeagent %s: %s\nusage: storeagent %s %s\n", c.name, ue.msg, c.name, c.args)
			return 2
		default:
			fmt.Fprintf(m.Stderr, "storeagent %s: %s\n", c.name, oneLine(err.Error()))
			return 1
		}
	}
	fmt.Fprintf(m.Stderr, "storeagent: unknown command %q\n", args[0])
	m.usage(m.Stderr)
	return 2
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: storeagent <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %-28s %s\n", c.name, c.args, c.help)
	}
}

// commandUsage prints one subcommand's usage line, what it does and its flags with their defaults;
// fs is nil for a command without flags.
func (m *Main) commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: storeagent %s %s\n\n%s\n", c.name, c.args, c.help)
	if fs == nil {
		return
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// helpError is what parseFlags returns for -h or -help: it carries the flag set so Run can print the
// subcommand's flags. It matches flag.ErrHelp under errors.Is.
type helpError struct{ fs *flag.FlagSet }

func (e helpError) Error() string        { return flag.ErrHelp.Error() }
func (e helpError) Is(target error) bool { return target == flag.ErrHelp }

// oneLine keeps multi-problem errors readable on one stderr line per problem but starts with a
// summary; a config error lists each problem indented beneath.
func oneLine(s string) string { return strings.TrimRight(s, "\n") }

// parseFlags parses flags that may come before or after positional arguments
// ("backup FILE -config PATH") and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, helpError{fs}
			}
			return nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
