package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestRow_RatioAndStatus(t *testing.T) {
	cases := []struct {
		name      string
		row       Row
		ratio     float64
		status    string
		wantRatio bool
	}{
		{"throughput above goal", Row{Value: 72000, Baseline: 96000, BaselineName: "raw", Goal: AtLeastRatio(0.7)}, 0.75, "ok", true},
		{"throughput below goal", Row{Value: 60000, Baseline: 96000, BaselineName: "raw", Goal: AtLeastRatio(0.7)}, 0.625, "missed", true},
		{"time at most baseline", Row{Value: 11.7, Baseline: 130, BaselineName: "zbarimg", Goal: AtMostRatio(1)}, 0.09, "ok", true},
		{"time slower than baseline", Row{Value: 140, Baseline: 130, BaselineName: "zbarimg", Goal: AtMostRatio(1)}, 140.0 / 130, "missed", true},
		{"value goal met", Row{Value: 1.4, Unit: "ms", Goal: BelowValue(2)}, 0, "ok", false},
		{"value goal missed", Row{Value: 2.0, Unit: "ms", Goal: BelowValue(2)}, 0, "missed", false},
		{"failed baseline is an error, not a pass", Row{Value: 11.7, BaselineName: "zbarimg", BaselineErr: "exec: not found", Goal: AtMostRatio(1)}, 0, "error", false},
		{"zero baseline gives no ratio", Row{Value: 5, BaselineName: "raw", Goal: AtLeastRatio(0.5)}, 0, "error", false},
		{"failed agent measure", Row{Err: "agent did not start", Goal: BelowValue(500)}, 0, "error", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.row.Ratio()
			if c.wantRatio && (got < c.ratio-1e-9 || got > c.ratio+1e-9) || !c.wantRatio && got != 0 {
				t.Errorf("ratio = %v, want %v", got, c.ratio)
			}
			if s := c.row.Status(); s != c.status {
				t.Errorf("status = %q, want %q", s, c.status)
			}
		})
	}
}

func testReport() *Report {
	return &Report{Title: "storebench", Version: "v1.2.3", Date: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		Machine: Machine{CPU: "Test CPU", Cores: 2, OS: "linux", Arch: "amd64", Go: "go1.26", Broker: "mosquitto 2.0"},
		Rows: []Row{
			{Measure: "catalogue snapshot apply, 150k items", Value: 71234, Unit: "items/s", Baseline: 95400,
				BaselineName: "raw prepared upsert in one tx", Goal: AtLeastRatio(0.7), Notes: "lookup p99 0.13 ms"},
			{Measure: "image decode per 1280×720 frame", Value: 11.7, Unit: "ms", BaselineName: "zbarimg",
				BaselineErr: "zbarimg not installed", Goal: AtMostRatio(1)},
			{Measure: "price lookup | HTTP", Value: 2.5, Unit: "ms", Goal: BelowValue(2)},
		}}
}

func TestReport_WriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	rep := testReport()
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Machine: Test CPU, 2 cores, linux/amd64, go1.26; broker mosquitto 2.0",
		"| catalogue snapshot apply, 150k items | 71,234 items/s | raw prepared upsert in one tx: 95,400 items/s | 0.75× | ≥ 0.7× | ✓ | lookup p99 0.13 ms |",
		"| image decode per 1280×720 frame | 11.7 ms | zbarimg: failed: zbarimg not installed | — | ≤ 1× | ✗ not measured |",
		`| price lookup \| HTTP | 2.50 ms | — | — | < 2 ms | ✗ missed |`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if !rep.Failed() || !rep.Missed() {
		t.Errorf("Failed() = %v, Missed() = %v, want both true", rep.Failed(), rep.Missed())
	}
}

func TestReport_WriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := testReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version string               `json:"version"`
		Machine struct{ CPU string } `json:"machine"`
		Rows    []struct {
			Measure, Status, BaselineErr string
			Ratio                        float64
		} `json:"rows"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if got.Version != "v1.2.3" || got.Machine.CPU != "Test CPU" || len(got.Rows) != 3 {
		t.Fatalf("got %+v", got)
	}
	if got.Rows[0].Status != "ok" || got.Rows[0].Ratio != 0.747 {
		t.Errorf("row 0 = %+v, want ok with ratio 0.747", got.Rows[0])
	}
	if got.Rows[1].Status != "error" || !strings.Contains(b.String(), `"baseline_error": "zbarimg not installed"`) {
		t.Errorf("the failed baseline is not reported: %s", b.String())
	}
	if got.Rows[2].Status != "missed" {
		t.Errorf("row 2 status = %q, want missed", got.Rows[2].Status)
	}
}

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{{1234567, "ev/s", "1,234,567 ev/s"}, {167, "ms", "167 ms"}, {23.4, "MB", "23.4 MB"}, {0.134, "ms", "0.13 ms"}, {5, "", "5"}, {0, "events", "0 events"}, {2.5, "ms", "2.50 ms"}} {
		if got := formatValue(c.v, c.unit); got != c.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}
