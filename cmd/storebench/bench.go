package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
)

// A measureGroup measures one concern of the agent and its baseline; it returns its rows with
// any failure in Row.Err or Row.BaselineErr, never as a missing row.
type measureGroup struct {
	id          string
	needsBroker bool
	run         func(b *bench, ctx context.Context) []Row
}

// measureGroups are the table's rows in order, by the ids -only selects.
var measureGroups = []measureGroup{
	{"snapshot", false, (*bench).snapshot},
	{"sales", false, (*bench).sales},
	{"drain", true, (*bench).drain},
	{"scan", false, (*bench).scan},
	{"lookup", false, (*bench).lookup},
	{"decode", false, (*bench).decode},
	{"rss", false, (*bench).rss},
	{"till", false, (*bench).till},
	{"promotions", false, (*bench).promotions},
	{"fiscal", false, (*bench).fiscal},
	{"healthz", false, (*bench).healthz},
	{"rt", false, (*bench).rt},
}

func measureIDs() []string {
	var ids []string
	for _, m := range measureGroups {
		ids = append(ids, m.id)
	}
	return ids
}

func selected(o *options) []measureGroup {
	var out []measureGroup
	for _, m := range measureGroups {
		if o.only == nil || o.only.MatchString(m.id) {
			out = append(out, m)
		}
	}
	return out
}

// bench is one storebench run: its options, scratch folder, broker and progress output.
type bench struct {
	o         *options
	dir       string
	brokerURL string
	progress  io.Writer
	exe       string // the executable started as the agent subprocess
	seeded    string // folder with a database holding the -items catalogue, once made
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.progress, "storebench: "+format+"\n", args...)
}

// tempDir makes a fresh folder under the run's scratch folder.
func (b *bench) tempDir(name string) (string, error) {
	return os.MkdirTemp(b.dir, name+"-")
}

// errNoBroker is the one-line error when the drain needs a broker and none can be had.
var errNoBroker = errors.New("the outbox drain needs an MQTT broker: install Mosquitto (apt-get install mosquitto) " +
	"or pass -broker tcp://HOST:PORT (or leave the drain out with -only)")

// measure runs the selected groups and returns the report.
func measure(ctx context.Context, o *options, stderr io.Writer) (*Report, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	dir, err := os.MkdirTemp("", "storebench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	stderr = &syncWriter{w: stderr}
	b := &bench{o: o, dir: dir, progress: stderr, exe: exe}
	groups := selected(o)
	brokerText := "not used"
	for _, g := range groups {
		if !g.needsBroker {
			continue
		}
		if o.broker != "" {
			b.brokerURL, brokerText = o.broker, o.broker
			break
		}
		mdir := filepath.Join(dir, "mosquitto")
		if err := os.Mkdir(mdir, 0o700); err != nil {
			return nil, err
		}
		m, err := broker.NewMosquitto(mdir, "", "")
		if errors.Is(err, broker.ErrNoMosquitto) {
			return nil, errNoBroker
		}
		if err != nil {
			return nil, err
		}
		m.Stderr = stderr
		if err := m.Start(); err != nil {
			return nil, err
		}
		defer m.Stop()
		b.brokerURL = m.URL("tcp")
		brokerText = mosquittoVersion() + " (private, " + b.brokerURL + ")"
		break
	}
	rep := &Report{Title: "storebench", Version: version(), Date: time.Now().UTC(), Machine: ThisMachine(brokerText)}
	for _, g := range groups {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		start := time.Now()
		b.logf("%s: measuring", g.id)
		rows := g.run(b, ctx)
		for i := range rows {
			rows[i].ID = g.id
			b.logf("%s: %s: %s (%s)", g.id, rows[i].Measure, formatValue(rows[i].Value, rows[i].Unit), rows[i].Status())
		}
		b.logf("%s: done in %s", g.id, time.Since(start).Round(time.Millisecond))
		rep.Rows = append(rep.Rows, rows...)
	}
	return rep, nil
}

// mosquittoVersion is the first line of `mosquitto -h`, e.g. "mosquitto version 2.0.18".
func mosquittoVersion() string {
	bin, err := broker.MosquittoBinary()
	if err != nil {
		return "mosquitto"
	}
	out, _ := exec.Command(bin, "-h").CombinedOutput() // -h exits non-zero
	line, _, _ := strings.Cut(string(out), "\n")
	if !strings.HasPrefix(line, "mosquitto") {
		return "mosquitto"
	}
	return strings.TrimSpace(line)
}

// syncWriter serialises writes from several goroutines (progress lines, a subprocess's output).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// String is what was written, when the underlying writer is a bytes.Buffer (a subprocess's
// output, read while the process writes it).
func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.w.(*bytes.Buffer); ok {
		return b.String()
	}
	return ""
}
