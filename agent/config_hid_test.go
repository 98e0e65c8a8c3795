package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfig_HIDPath checks that a hid scanner at a /dev/hidraw node (which the hid transport does
// not read) is refused with the node it needs, and that docs/config.md gives the right example.
func TestConfig_HIDPath(t *testing.T) {
	c := DefaultConfig()
	c.StoreID, c.DataDir = "it-mi-001", t.TempDir()
	c.Terminals = []Terminal{{ID: "lane1", Token: "lane1-token-0123456789abcdef", Scanners: []string{"s"}}}
	c.Devices = []Device{{Name: "s", Type: "scanner", Transport: "hid", Path: "/dev/hidraw0", Profile: "generic-hid-scanner"}}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "devices[0].path") || !strings.Contains(err.Error(), "/dev/input/event") {
		t.Errorf("hid at /dev/hidraw0: %v; want devices[0].path refused naming /dev/input/event*", err)
	}
	c.Devices[0].Path = "/dev/input/event3"
	if err := c.Validate(); err != nil && strings.Contains(err.Error(), "devices[0].path") {
		t.Errorf("hid at /dev/input/event3: %v", err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(doc), "\n") {
		if strings.Contains(l, "`devices[].path`") && !strings.Contains(l, "/dev/input/event") {
			t.Errorf("docs/config.md devices[].path gives no /dev/input/event* example for hid: %s", l)
		}
	}
}
