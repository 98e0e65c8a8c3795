package agent

import (
	"errors"
	"strings"
	"testing"
)

// TestParseConfig_IndentErrorLine checks that a mis-indented line is reported at its own line, not
// at the start of the block yaml.v3 was parsing.
func TestParseConfig_IndentErrorLine(t *testing.T) {
	tests := []struct {
		name, yaml string
		line       int
	}{
		{"deeper than a sibling", "store_id: it-mi-001\nstore:\n  name: \"Bottega\"\n   address: \"Via Roma 1\"\n", 4},
		{"back to no level", "store_id: it-mi-001\nmqtt:\n  broker: tcp://x:1883\n topic_prefix: retail\n", 4},
		{"inside a list item", "store_id: it-mi-001\nterminals:\n  - id: lane1\n    token: t\n   printer: x\ndevices: []\n", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseConfig([]byte(tt.yaml), "s.yaml", nil, "")
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) != 1 {
				t.Fatalf("err %v; want one problem", err)
			}
			if p := ce.Problems[0]; p.Line != tt.line || !strings.Contains(p.Message, "indentation") {
				t.Errorf("problem at line %d %q; want line %d about indentation", p.Line, p.Message, tt.line)
			}
		})
	}
}

// TestConfigBadIndentLine_ValidYAML checks that well-indented YAML, with lists of mappings, block
// scalars and comments, has no bad line.
func TestConfigBadIndentLine_ValidYAML(t *testing.T) {
	valid := `store_id: it-mi-001   # a comment: with a colon
store:
  name: "Bottega # not a comment"
  address: |
    Via Roma 1
      20121 Milano
  timezone: Europe/Rome
terminals:
  - id: lane1
    scanners:
      - lane1-scanner
    printer: lane1-printer
  -
    id: lane2
devices:
- name: s
  type: scanner
log: {format: text, level: info}
`
	if got := configBadIndentLine(valid, 1); got != 0 {
		t.Errorf("configBadIndentLine(valid) = %d; want 0", got)
	}
}
