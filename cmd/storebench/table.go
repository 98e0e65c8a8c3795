package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"time"
)

// Row is one measure of the agent beside the baseline measured in the same run. Value and
// Baseline are in the same Unit, so Ratio = Value / Baseline whichever way is better (a rate: higher;
// a time: lower); the Goal says which.
type Row struct {
	// ID is the short id of the measure group the row belongs to (storebench -only), e.g.
	// "snapshot"; empty for rows of other commands.
	ID string `json:"id,omitempty"`
	// Measure names what was measured, e.g. "catalogue snapshot apply, 150k items".
	Measure string `json:"measure"`
	// Value is the agent's figure in Unit; meaningless when Err is set.
	Value float64 `json:"value"`
	// Unit is the unit of Value and Baseline, e.g. "items/s", "ms", "MB".
	Unit string `json:"unit"`
	// Baseline is the baseline's figure in Unit (0 when the measure has none or it failed).
	Baseline float64 `json:"baseline,omitempty"`
	// BaselineName says what the baseline is, e.g. "raw prepared upsert in one tx"; empty: none.
	BaselineName string `json:"baseline_name,omitempty"`
	// BaselineErr is why the baseline could not be measured (the row then has no ratio).
	BaselineErr string `json:"baseline_error,omitempty"`
	// Goal is what the row must meet.
	Goal Goal `json:"goal"`
	// Err is why the agent's figure could not be measured.
	Err string `json:"error,omitempty"`
	// Notes carry further figures (p50, counts) for the reader.
	Notes string `json:"notes,omitempty"`
}

// Ratio is Value / Baseline, or 0 when there is no usable baseline.
func (r Row) Ratio() float64 {
	if r.Err != "" || r.BaselineErr != "" || r.Baseline == 0 || r.BaselineName == "" {
		return 0
	}
	return r.Value / r.Baseline
}

// Status is "ok", "missed" (measured, goal not met), or "error" (the agent or its baseline
// failed; a failed baseline is an error even under a value goal, so it is never hidden).
func (r Row) Status() string {
	if r.Err != "" || r.BaselineErr != "" {
		return "error"
	}
	x, ok := r.Goal.subject(r)
	if !ok {
		return "error"
	}
	if r.Goal.holds(x) {
		return "ok"
	}
	return "missed"
}

// Goal is a bound on a row's ratio or on its value.
type Goal struct {
	// On is "ratio" or "value".
	On string `json:"on"`
	// Op is ">=", "<=" or "<".
	Op string `json:"op"`
	// Limit is the bound, in Unit for a value goal.
	Limit float64 `json:"limit"`
	// Label, if set, replaces the generated text (e.g. "p99 < 5 ms").
	Label string `json:"label,omitempty"`
}

// AtLeastRatio, AtMostRatio and BelowValue build the goals the table uses.
func AtLeastRatio(x float64) Goal { return Goal{On: "ratio", Op: ">=", Limit: x} }
func AtMostRatio(x float64) Goal  { return Goal{On: "ratio", Op: "<=", Limit: x} }
func BelowValue(x float64) Goal   { return Goal{On: "value", Op: "<", Limit: x} }

func (g Goal) subject(r Row) (float64, bool) {
	if g.On == "ratio" {
		x := r.Ratio()
		return x, x != 0
	}
	return r.Value, true
}

func (g Goal) holds(x float64) bool {
	switch g.Op {
	case ">=":
		return x >= g.Limit
	case "<=":
		return x <= g.Limit
	case "<":
		return x < g.Limit
	}
	return false
}

// Text is the goal as the table prints it, e.g. "≥ 0.7×" or "< 2 ms".
func (g Goal) Text(unit string) string {
	if g.Label != "" {
		return g.Label
	}
	op := map[string]string{">=": "≥", "<=": "≤", "<": "<"}[g.Op]
	if g.On == "ratio" {
		return fmt.Sprintf("%s %s×", op, trimFloat(g.Limit))
	}
	return fmt.Sprintf("%s %s %s", op, trimFloat(g.Limit), unit)
}

// Machine describes where a report was measured.
type Machine struct {
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	Go     string `json:"go"`
	Broker string `json:"broker"`
}

// Report is one run of storebench: the machine, the time and a row per measure.
type Report struct {
	Title   string    `json:"title"`
	Version string    `json:"version"`
	Date    time.Time `json:"date"`
	Machine Machine   `json:"machine"`
	Rows    []Row     `json:"rows"`
}

// Failed reports whether any row could not be measured.
func (rep *Report) Failed() bool {
	for _, r := range rep.Rows {
		if r.Status() == "error" {
			return true
		}
	}
	return false
}

// Missed reports whether any measured row missed its goal.
func (rep *Report) Missed() bool {
	for _, r := range rep.Rows {
		if r.Status() == "missed" {
			return true
		}
	}
	return false
}

// ThisMachine reads the CPU model (Linux /proc/cpuinfo; elsewhere GOARCH) and the Go runtime.
func ThisMachine(broker string) Machine {
	m := Machine{CPU: runtime.GOARCH, Cores: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		Go: runtime.Version(), Broker: broker}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// WriteMarkdown writes the report as a Markdown table with a line naming the machine.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s, %s\n\n", rep.Title, rep.Version, rep.Date.UTC().Format("2006-01-02 15:04 UTC"))
	m := rep.Machine
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s/%s, %s; broker %s\n\n", m.CPU, m.Cores, m.OS, m.Arch, m.Go, m.Broker)
	b.WriteString("| measure | agent | baseline in the same run | ratio | goal | result | notes |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rep.Rows {
		agent := formatValue(r.Value, r.Unit)
		if r.Err != "" {
			agent = "failed: " + r.Err
		}
		base := "—"
		switch {
		case r.BaselineName == "":
		case r.BaselineErr != "":
			base = r.BaselineName + ": failed: " + r.BaselineErr
		default:
			base = r.BaselineName + ": " + formatValue(r.Baseline, r.Unit)
		}
		ratio := "—"
		if x := r.Ratio(); x != 0 {
			ratio = fmt.Sprintf("%.2f×", x)
		}
		result := map[string]string{"ok": "✓", "missed": "✗ missed", "error": "✗ not measured"}[r.Status()]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", cell(r.Measure), cell(agent), cell(base), ratio,
			cell(r.Goal.Text(r.Unit)), result, cell(r.Notes))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON, each row with its ratio and status.
func (rep *Report) WriteJSON(w io.Writer) error {
	type row struct {
		Row
		Ratio  float64 `json:"ratio,omitempty"`
		Status string  `json:"status"`
	}
	out := struct {
		*Report
		Rows []row `json:"rows"`
	}{Report: rep}
	for _, r := range rep.Rows {
		out.Rows = append(out.Rows, row{Row: r, Ratio: math.Round(r.Ratio()*1000) / 1000, Status: r.Status()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// formatValue prints a figure with thousands separators for big numbers and 2 decimals for small.
func formatValue(v float64, unit string) string {
	var s string
	switch {
	case v == math.Trunc(v) && v < 1000:
		s = fmt.Sprintf("%.0f", v) // a count
	case v >= 1000:
		s = groupThousands(int64(math.Round(v)))
	case v >= 100:
		s = fmt.Sprintf("%.0f", v)
	case v >= 10:
		s = fmt.Sprintf("%.1f", v)
	default:
		s = fmt.Sprintf("%.2f", v)
	}
	if unit == "" {
		return s
	}
	return s + " " + unit
}

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var parts []string
	for len(s) > 3 {
		parts = append([]string{s[len(s)-3:]}, parts...)
		s = s[:len(s)-3]
	}
	parts = append([]string{s}, parts...)
	out := strings.Join(parts, ",")
	if neg {
		out = "-" + out
	}
	return out
}

func trimFloat(x float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", x), "0"), ".")
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
