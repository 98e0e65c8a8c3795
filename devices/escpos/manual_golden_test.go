package escpos

import (
	"bytes"
	"encoding/hex"
	"os"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

// manualCheck is one golden byte string (or status byte) from a maker's command manual.
type manualCheck struct {
	Kind    string   `yaml:"kind"`
	Source  string   `yaml:"source"`
	N       int      `yaml:"n"`
	Reply   string   `yaml:"reply"`
	Want    []string `yaml:"want"`
	Invalid bool     `yaml:"invalid"`
	Mode    string   `yaml:"mode"`
	Feed    int      `yaml:"feed"`
	Data    string   `yaml:"data"`
	Size    int      `yaml:"size"`
	Level   string   `yaml:"level"`
	Page    string   `yaml:"page"`
	Text    string   `yaml:"text"`
	Duty    float64  `yaml:"duty"`
	Bytes   string   `yaml:"bytes"`
}

type manualGolden struct {
	// Shared holds the checks several models share, referenced by YAML anchors.
	Shared   map[string][]manualCheck `yaml:"shared"`
	Printers []struct {
		Profile string          `yaml:"profile"`
		Checks  [][]manualCheck `yaml:"checks"`
	} `yaml:"printers"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// statusFlags lists the flags of s that are set, by their golden-file names.
func statusFlags(s Status) []string {
	var out []string
	for _, f := range []struct {
		name string
		on   bool
	}{{"online", s.Online}, {"cover_open", s.CoverOpen}, {"paper_near_end", s.PaperNearEnd},
		{"paper_out", s.PaperOut}, {"error", s.Error}, {"drawer_pin3_high", s.DrawerPin3High}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}

func sameFlags(got, want []string) bool {
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	return strings.Join(g, ",") == strings.Join(w, ",")
}

// TestManualGolden: for at least 12 printers, the bytes the encoder emits for the status request,
// cut, QR, code page select and drawer pulse, and the status bytes it interprets, are the ones
// their manufacturers' command manuals give (testdata/manual_golden.yaml names the manual and page
// of each). Every built-in profile says in `checked` what was checked; those checked here say so.
func TestManualGolden(t *testing.T) {
	raw, err := os.ReadFile("testdata/manual_golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var g manualGolden
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("manual_golden.yaml: %v", err)
	}
	all, err := LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]map[string]bool{} // profile → kinds checked
	for _, pr := range g.Printers {
		p, ok := all[pr.Profile]
		if !ok {
			t.Errorf("golden profile %s is not a built-in profile", pr.Profile)
			continue
		}
		kinds := map[string]bool{}
		covered[pr.Profile] = kinds
		for _, group := range pr.Checks {
			for i, c := range group {
				kinds[c.Kind] = true
				name := pr.Profile + "/" + c.Kind
				t.Run(name, func(t *testing.T) {
					if strings.TrimSpace(c.Source) == "" {
						t.Fatalf("check %d has no source (manual and page)", i)
					}
					runManualCheck(t, p, c)
				})
			}
		}
		if !strings.Contains(p.Checked, "manual_golden.yaml") {
			t.Errorf("%s: checked %q does not point at the golden bytes", pr.Profile, p.Checked)
		}
	}
	if len(covered) < 12 {
		t.Errorf("%d printers have golden bytes from their manuals, want at least 12", len(covered))
	}
	for id, p := range all {
		if strings.TrimSpace(p.Checked) == "" {
			t.Errorf("%s: no checked key (what was checked against which manual, or not checked)", id)
		}
		if _, ok := covered[id]; !ok && strings.Contains(p.Checked, "manual_golden.yaml") && !strings.HasPrefix(p.Checked, "not checked") {
			t.Errorf("%s claims golden bytes but has none in manual_golden.yaml", id)
		}
	}
	for id, kinds := range covered {
		for _, k := range []string{"status_request", "status_reply", "qr"} {
			if !kinds[k] {
				t.Errorf("%s: no %s check", id, k)
			}
		}
	}
}

func runManualCheck(t *testing.T, p Profile, c manualCheck) {
	t.Helper()
	e := NewEncoder(p)
	var got []byte
	switch c.Kind {
	case "status_request":
		if !p.Status.DLEEOT {
			t.Fatalf("the manual documents DLE EOT but the profile has status.dle_eot: false")
		}
		b, err := StatusRequest(c.N)
		if err != nil {
			t.Fatal(err)
		}
		got = b
	case "status_reply", "asb":
		var s Status
		var err error
		reply := unhex(t, c.Reply)
		if c.Kind == "asb" {
			if !p.Status.ASB {
				t.Fatalf("the manual documents ASB but the profile has status.asb: false")
			}
			s, err = ParseASB(reply)
		} else {
			if len(reply) != 1 {
				t.Fatalf("reply %q: one byte expected", c.Reply)
			}
			err = s.ApplyStatusReply(c.N, reply[0])
		}
		if c.Invalid {
			if err == nil {
				t.Errorf("reply %s accepted (%v), the manual's fixed bits say it is no status reply", c.Reply, statusFlags(s))
			}
			return
		}
		if err != nil {
			t.Fatalf("reply %s: %v", c.Reply, err)
		}
		if f := statusFlags(s); !sameFlags(f, c.Want) {
			t.Errorf("reply %s to n=%d: flags %v, manual says %v", c.Reply, c.N, f, c.Want)
		}
		return
	case "cut":
		mode := CutPartial
		if c.Mode == "full" {
			mode = CutFull
		}
		e.Cut(mode, c.Feed)
		got = e.Bytes()
	case "qr":
		if p.QR != "native" {
			t.Fatalf("the manual documents GS ( k but the profile has qr: %s", p.QR)
		}
		lv := map[string]QRLevel{"L": QRLevelL, "M": QRLevelM, "Q": QRLevelQ, "H": QRLevelH}[c.Level]
		if err := e.QR(c.Data, c.Size, lv); err != nil {
			t.Fatal(err)
		}
		got = e.Bytes()
	case "code_page":
		if name := p.CodePages[c.N]; name != c.Page {
			t.Fatalf("ESC t %d is %q in the profile, the manual says %s", c.N, name, c.Page)
		}
		e.SelectCodePage(c.N)
		e.Text(c.Text)
		got = e.Bytes()
	case "drawer":
		if err := e.KickDrawer(); err != nil {
			t.Fatal(err)
		}
		got = e.Bytes()
		if c.Duty > 0 {
			on, off := float64(p.Drawer.OnMS), float64(p.Drawer.OffMS)
			if d := on / (on + off); d > c.Duty+1e-9 {
				t.Errorf("drawer pulse %v/%v ms: duty %.2f above the manual's %.2f", on, off, d, c.Duty)
			}
		}
	default:
		t.Fatalf("unknown kind %q", c.Kind)
	}
	if want := unhex(t, c.Bytes); !bytes.Equal(got, want) {
		t.Errorf("got  % x\nwant % x (%s)", got, want, c.Source)
	}
}
