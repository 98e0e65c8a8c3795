// Command storebench measures the agent against its limits: each row a measure of the agent
// beside a baseline measured in the same run, and their ratio (see README "Tests and benchmarks").
//
//	storebench [-o PATH] [-only REGEXP] [-strict] [-broker URL] [size flags]
//
// It starts a private Mosquitto on a free port for the outbox drain unless -broker names one,
// runs the agent as its own subprocess (the hidden `storebench agent -config PATH`) for the
// measures over HTTP, prints progress on stderr and the Markdown table on stdout, and with -o
// writes PATH.md and PATH.json. Exit 0; 1 when a row could not be measured (or, with -strict,
// missed its goal); 2 on bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

func main() { os.Exit(runMain()) }

// runMain runs the command line until done or interrupted (the agent subprocess stops on SIGTERM).
func runMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// run dispatches the subcommands and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "fleet":
			return runFleet(ctx, args[1:], stdout, stderr)
		case "fleet-config":
			return runFleetConfig(ctx, args[1:], stdout, stderr)
		case "agent":
			return runAgentCmd(ctx, args[1:], stderr)
		case "fpmateemu":
			return runEmuCmd(ctx, args[1:], stdout, stderr)
		}
	}
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "storebench: %v\n", err)
		return 2
	}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "storebench: -cpuprofile: %v\n", err)
			return 1
		}
		defer stop()
	}
	rep, err := measure(ctx, o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "storebench: %v\n", err)
		return 1
	}
	if err := rep.WriteMarkdown(stdout); err != nil {
		fmt.Fprintf(stderr, "storebench: %v\n", err)
		return 1
	}
	if o.out != "" {
		if err := writeOutputs(rep, o.out); err != nil {
			fmt.Fprintf(stderr, "storebench: %v\n", err)
			return 1
		}
	}
	return exitCode(rep, o.strict, stderr)
}

// exitCode is 1 when a row could not be measured or, with strict, missed its goal; else 0.
func exitCode(rep *Report, strict bool, stderr io.Writer) int {
	switch {
	case rep.Failed():
		fmt.Fprintln(stderr, "storebench: some rows could not be measured (see the table)")
		return 1
	case strict && rep.Missed():
		fmt.Fprintln(stderr, "storebench: some goals were missed (-strict)")
		return 1
	}
	return 0
}

// options are storebench's flags.
type options struct {
	out            string
	only           *regexp.Regexp
	strict         bool
	broker         string
	items          int
	events         int
	drainRuns      int
	clients        int
	salesDuration  time.Duration
	rtFaults       int
	lookupRate     float64
	lookupDuration time.Duration
	loadDuration   time.Duration
	idle           time.Duration
	scans          int
	frames         int
	zbarimg        string
	agentBin       string
	tillSales      int
	fiscalRecords  int
	fiscalArchive  int
	cpuProfile     string
}

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("storebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "o", "", "write the report to PATH.md and PATH.json (PATH may end in .md or .json)")
	only := fs.String("only", "", "run only the measures whose id matches this regexp (ids: "+strings.Join(measureIDs(), ", ")+")")
	fs.BoolVar(&o.strict, "strict", false, "exit 1 when a goal is missed, too")
	fs.StringVar(&o.broker, "broker", "", "use this MQTT broker (tcp://HOST:PORT) instead of starting a private Mosquitto")
	fs.IntVar(&o.items, "items", 150000, "catalogue items (snapshot apply, and the agent's catalogue for sales, lookups and memory)")
	fs.IntVar(&o.events, "events", 50000, "outbox events to drain")
	fs.IntVar(&o.drainRuns, "drain-runs", 3, "alternating raw/agent drain runs (each side reports its median)")
	fs.IntVar(&o.clients, "clients", 8, "concurrent HTTP clients for the sales")
	fs.DurationVar(&o.salesDuration, "sales-duration", 10*time.Second, "how long each side of the sales measure runs")
	fs.IntVar(&o.rtFaults, "rt-faults", 100, "separate RT faults in the rt measure's recovery row")
	fs.Float64Var(&o.lookupRate, "lookup-rate", 2000, "price lookups per second")
	fs.DurationVar(&o.lookupDuration, "lookup-duration", 10*time.Second, "how long the lookups run")
	fs.DurationVar(&o.loadDuration, "load-duration", 5*time.Second, "how long the memory measure's sales and lookup load runs")
	fs.DurationVar(&o.idle, "idle", time.Second, "how long the agent idles after start before its idle memory is read")
	fs.IntVar(&o.scans, "scans", 2000, "scans sent through the pseudo-terminal")
	fs.IntVar(&o.frames, "frames", 20, "1280×720 frames to decode")
	fs.StringVar(&o.zbarimg, "zbarimg", "zbarimg", "the zbarimg executable for the decode baseline")
	fs.IntVar(&o.tillSales, "till-sales", 10000, "sales in the till session whose X report is read")
	fs.IntVar(&o.fiscalRecords, "fiscal-records", 1_000_000, "French journal records that `fiscal verify` checks")
	fs.IntVar(&o.fiscalArchive, "fiscal-archive-records", 300_000, "French journal records in the month that is archived")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the in-process measures to PATH (`go tool pprof PATH`)")
	fs.StringVar(&o.agentBin, "agent", "", "run this storeagent binary (`storeagent run`) for the measures over HTTP; default storebench's own copy of the agent")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: storebench [flags]        (and: storebench fleet [flags])")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	re, err := regexp.Compile(*only)
	if err != nil {
		return nil, fmt.Errorf("-only: %v", err)
	}
	o.only = re
	if len(selected(o)) == 0 {
		return nil, fmt.Errorf("-only %q matches none of %s", *only, strings.Join(measureIDs(), ", "))
	}
	for _, c := range []struct {
		name string
		bad  bool
	}{{"-items", o.items < 1}, {"-events", o.events < 1}, {"-drain-runs", o.drainRuns < 1}, {"-clients", o.clients < 1}, {"-sales-duration", o.salesDuration <= 0}, {"-rt-faults", o.rtFaults < 1},
		{"-lookup-rate", o.lookupRate <= 0}, {"-lookup-duration", o.lookupDuration <= 0}, {"-load-duration", o.loadDuration <= 0}, {"-idle", o.idle < 0},
		{"-scans", o.scans < 1}, {"-frames", o.frames < 1}, {"-till-sales", o.tillSales < 1},
		{"-fiscal-records", o.fiscalRecords < 1}, {"-fiscal-archive-records", o.fiscalArchive < 1}} {
		if c.bad {
			return nil, fmt.Errorf("%s must be positive", c.name)
		}
	}
	return o, nil
}

// outputPaths are the Markdown and JSON files for -o PATH: PATH.md and PATH.json, or, when PATH
// already ends in .md or .json, that name and its sibling with the other extension.
func outputPaths(path string) (md, js string) {
	base := strings.TrimSuffix(strings.TrimSuffix(path, ".md"), ".json")
	return base + ".md", base + ".json"
}

func writeOutputs(rep *Report, path string) error {
	md, js := outputPaths(path)
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{{md, rep.WriteMarkdown}, {js, rep.WriteJSON}} {
		w, err := os.Create(f.path)
		if err != nil {
			return err
		}
		err = f.write(w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return nil
}

// version is the module version storebench was built from, or "devel".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	if v == "" {
		v = "devel"
	}
	return v
}
