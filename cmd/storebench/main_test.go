package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/sync/broker"
)

// TestMain lets the test binary stand in for storebench when a measure re-executes itself as
// the agent subprocess (os.Executable is the test binary here).
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runMain())
	}
	os.Exit(m.Run())
}

func TestParseOptions_usage(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined"},
		{"bad regexp", []string{"-only", "("}, "-only"},
		{"regexp matching nothing", []string{"-only", "^nothing$"}, "matches none of snapshot, sales, drain"},
		{"zero size", []string{"-items", "0"}, "-items must be positive"},
		{"argument", []string{"extra"}, `unexpected argument "extra"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), c.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), c.want)
			}
		})
	}
}

func TestParseOptions_defaultsAndOnly(t *testing.T) {
	o, err := parseOptions(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.items != 150000 || o.events != 50000 || o.lookupRate != 2000 || o.clients != 8 {
		t.Errorf("defaults: items %d, events %d, lookup rate %v, clients %d; want the issue's 150000, 50000, 2000, 8",
			o.items, o.events, o.lookupRate, o.clients)
	}
	if got := ids(selected(o)); !reflect.DeepEqual(got, measureIDs()) {
		t.Errorf("no -only selects %v, want all %v", got, measureIDs())
	}
	o, err = parseOptions([]string{"-only", "^(sales|rss)$"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(selected(o)); !reflect.DeepEqual(got, []string{"sales", "rss"}) {
		t.Errorf("-only '^(sales|rss)$' selects %v, want [sales rss]", got)
	}
}

func ids(groups []measureGroup) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.id)
	}
	return out
}

func TestOutputPaths(t *testing.T) {
	for _, in := range []string{"/tmp/sb", "/tmp/sb.md", "/tmp/sb.json"} {
		md, js := outputPaths(in)
		if md != "/tmp/sb.md" || js != "/tmp/sb.json" {
			t.Errorf("outputPaths(%q) = %q, %q; want /tmp/sb.md, /tmp/sb.json", in, md, js)
		}
	}
}

func TestExitCode(t *testing.T) {
	ok := Row{Value: 1, Unit: "ms", Goal: BelowValue(2)}
	missed := Row{Value: 3, Unit: "ms", Goal: BelowValue(2)}
	failed := Row{Err: "agent did not start", Goal: BelowValue(2)}
	for _, c := range []struct {
		name   string
		rows   []Row
		strict bool
		want   int
	}{
		{"all ok", []Row{ok}, true, 0},
		{"missed goal without -strict", []Row{ok, missed}, false, 0},
		{"missed goal with -strict", []Row{ok, missed}, true, 1},
		{"row not measured", []Row{ok, failed}, false, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := exitCode(&Report{Rows: c.rows}, c.strict, &bytes.Buffer{}); got != c.want {
				t.Errorf("exit %d, want %d", got, c.want)
			}
		})
	}
}

func TestRow_failedBaselineUnderValueGoal(t *testing.T) {
	r := Row{Value: 0.3, Unit: "ms", BaselineName: "raw pty round trip", BaselineErr: "no pty", Goal: BelowValue(5)}
	if s := r.Status(); s != "error" {
		t.Errorf("status %q, want error: a failed baseline must not pass", s)
	}
}

// readReport reads the JSON that -o wrote.
func readReport(t *testing.T, path string) []jsonRow {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Rows []jsonRow }
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return rep.Rows
}

type jsonRow struct {
	ID, Measure, Status, Error string
	BaselineError              string `json:"baseline_error"`
	Value                      float64
}

func TestRun_failingBaselineIsReported(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-only", "^decode$", "-frames", "1", "-zbarimg", filepath.Join(t.TempDir(), "no-zbarimg"), "-o", out},
		&stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1 (a row not measured); stderr:\n%s", code, stderr.String())
	}
	want := "zbarimg on the same frames: failed: " + errNoZbarimg
	if !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "✗ not measured") {
		t.Errorf("table lacks %q and ✗ not measured:\n%s", want, stdout.String())
	}
	md, err := os.ReadFile(strings.TrimSuffix(out, ".json") + ".md")
	if err != nil || !bytes.Equal(md, stdout.Bytes()) {
		t.Errorf("report.md (%v) differs from the table printed:\n%s", err, md)
	}
	rows := readReport(t, out)
	if len(rows) != 1 || rows[0].ID != "decode" || rows[0].Status != "error" || rows[0].BaselineError != errNoZbarimg || rows[0].Value <= 0 {
		t.Errorf("JSON rows = %+v, want the decode row measured for the agent, its baseline failed", rows)
	}
}

// TestRun_allRowsAtTinySizes runs every measure at tiny sizes and checks each row is measured.
// The drain runs against a private Mosquitto, or the embedded broker where none is installed
// (unless STOREAGENT_REQUIRE_MOSQUITTO=1, which makes that a failure).
func TestRun_allRowsAtTinySizes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Mosquitto and five agent processes")
	}
	var extra []string
	if !haveMosquitto(t) {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		url, stop, err := broker.Start(ctx, broker.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
		extra = []string{"-broker", url}
	}
	out := filepath.Join(t.TempDir(), "bench")
	var stdout, stderr bytes.Buffer
	run(context.Background(), append(extra, "-o", out, "-items", "500", "-events", "500", "-idle", "200ms", "-sales-duration", "200ms", "-rt-faults", "10",
		"-lookup-rate", "200", "-lookup-duration", "500ms", "-load-duration", "300ms", "-scans", "50", "-frames", "1",
		"-till-sales", "100", "-fiscal-records", "300", "-fiscal-archive-records", "200"), &stdout, &stderr)
	rows := readReport(t, out+".json")
	var got []string
	for _, r := range rows {
		got = append(got, r.ID)
		if r.Status == "error" && !(r.ID == "decode" && r.BaselineError == errNoZbarimg && r.Error == "") {
			t.Errorf("%s: not measured: %s %s", r.Measure, r.Error, r.BaselineError)
		}
	}
	want := []string{"snapshot", "sales", "drain", "scan", "lookup", "decode", "rss", "rss", "rss", "till", "till", "promotions", "promotions", "fiscal", "fiscal", "fiscal", "healthz", "rt", "rt", "rt", "rt"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if t.Failed() {
		t.Logf("table:\n%s\nprogress:\n%s", stdout.String(), stderr.String())
	}
}
