package agent

import (
	"regexp"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/pos"
)

// TestDeviceStates_InOpenAPI checks that every state the device manager reports is in the
// OpenAPI enum of `event: device` and /api/v1/status, so a POS never meets a state the contract
// does not name.
func TestDeviceStates_InOpenAPI(t *testing.T) {
	m := regexp.MustCompile(`state: \{type: string, enum: \[([^\]]*)\]`).FindSubmatch(pos.OpenAPI)
	if m == nil {
		t.Fatal("pos/openapi.yaml has no device state enum")
	}
	enum := map[string]bool{}
	for _, s := range strings.Split(string(m[1]), ",") {
		enum[strings.TrimSpace(s)] = true
	}
	for _, s := range devices.States() {
		if !enum[s] {
			t.Errorf("device state %q is not in the OpenAPI enum %s", s, m[1])
		}
	}
}
