package escpos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

// TestLoadProfilesWithOverrides: a store's profiles_dir/printers replaces a built-in profile of
// the same id and adds its own; a bad file fails the load naming the folder; a profiles_dir
// without a printers folder changes nothing.
func TestLoadProfilesWithOverrides(t *testing.T) {
	builtin, err := LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if got, err := LoadProfilesWithOverrides(firmwareprofiles.FS, dir); err != nil || len(got) != len(builtin) {
		t.Fatalf("no printers folder: %d profiles, %v; want the %d built-in", len(got), err, len(builtin))
	}
	if err := os.Mkdir(filepath.Join(dir, "printers"), 0o755); err != nil {
		t.Fatal(err)
	}
	orig, err := firmwareprofiles.FS.ReadFile("printers/epson-tm-t20.yaml")
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Replace(string(orig), `model: "TM-T20"`, `model: "TM-T20 (store firmware)"`, 1)
	if own == string(orig) {
		own = strings.Replace(string(orig), "model: TM-T20\n", "model: TM-T20 (store firmware)\n", 1)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "printers", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("epson-tm-t20.yaml", own)
	write("shop-printer.yaml", strings.Replace(string(orig), "id: epson-tm-t20", "id: shop-printer", 1))
	got, err := LoadProfilesWithOverrides(firmwareprofiles.FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got["epson-tm-t20"].Model != "TM-T20 (store firmware)" {
		t.Errorf("override not applied: model %q", got["epson-tm-t20"].Model)
	}
	if _, ok := got["shop-printer"]; !ok || len(got) != len(builtin)+1 {
		t.Errorf("%d profiles (shop-printer %v), want the built-in ones plus shop-printer", len(got), ok)
	}
	write("broken.yaml", "id: broken\nwidth_dots: many\n")
	if _, err := LoadProfilesWithOverrides(firmwareprofiles.FS, dir); err == nil || !strings.Contains(err.Error(), "profiles_dir") || !strings.Contains(err.Error(), "broken") {
		t.Errorf("bad override file: %v, want an error naming profiles_dir and the file", err)
	}
}
