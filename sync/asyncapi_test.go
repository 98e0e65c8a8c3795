package sync_test

import (
	"os"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"

	agentsync "github.com/storeagent/storeagent/sync"
)

// TestAsyncAPI checks sync/asyncapi.yaml against the table the code uses (sync.EventTypes):
// every type is a message of its channel, in the right direction, and the document names no
// message the code does not know.
func TestAsyncAPI(t *testing.T) {
	raw, err := os.ReadFile("asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AsyncAPI string `yaml:"asyncapi"`
		Channels map[string]map[string]any
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("asyncapi.yaml: %v", err)
	}
	if doc.AsyncAPI != "2.6.0" {
		t.Errorf("asyncapi = %q, want 2.6.0", doc.AsyncAPI)
	}
	// documented[channel/op] = message names
	documented := map[string]map[string]bool{}
	for ch, ops := range doc.Channels {
		for op, v := range ops {
			if op != "publish" && op != "subscribe" {
				continue
			}
			msg, _ := v.(map[string]any)["message"].(map[string]any)
			names := map[string]bool{}
			if n, ok := msg["name"].(string); ok {
				names[n] = true
			}
			if one, ok := msg["oneOf"].([]any); ok {
				for _, m := range one {
					if n, ok := m.(map[string]any)["name"].(string); ok {
						names[n] = true
					}
				}
			}
			documented[ch+" "+op] = names
		}
	}
	used := map[string]bool{}
	for _, e := range agentsync.EventTypes() {
		op := "publish" // central publishes, the agent receives
		if e.From == agentsync.FromAgent {
			op = "subscribe"
		}
		key := "{prefix}/stores/{store_id}/" + e.Topic + " " + op
		used[key+" "+e.Type] = true
		if !documented[key][e.Type] {
			t.Errorf("%s on %s (%s) is not documented in asyncapi.yaml", e.Type, e.Topic, op)
		}
	}
	var extra []string
	for key, names := range documented {
		for n := range names {
			if !used[key+" "+n] {
				extra = append(extra, key+" "+n)
			}
		}
	}
	sort.Strings(extra)
	for _, x := range extra {
		t.Errorf("asyncapi.yaml documents %s, which the code neither sends nor handles", x)
	}
}
