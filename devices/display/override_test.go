package display

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

// TestLoadProfilesWithOverrides: a store's profiles_dir/displays replaces a built-in display
// profile of the same id and adds its own; a bad file fails the load naming the folder.
func TestLoadProfilesWithOverrides(t *testing.T) {
	builtin, err := LoadProfiles(firmwareprofiles.FS, ProfileDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if got, err := LoadProfilesWithOverrides(firmwareprofiles.FS, dir); err != nil || len(got) != len(builtin) {
		t.Fatalf("no displays folder: %d profiles, %v; want the %d built-in", len(got), err, len(builtin))
	}
	if err := os.Mkdir(filepath.Join(dir, ProfileDir), 0o755); err != nil {
		t.Fatal(err)
	}
	orig, err := firmwareprofiles.FS.ReadFile(ProfileDir + "/generic-cd5220.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, ProfileDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("generic-cd5220.yaml", strings.Replace(string(orig), `product: ["CD5220", "VFD"]`, `product: ["CD5220", "VFD", "Shop VFD"]`, 1))
	write("shop-vfd.yaml", strings.Replace(string(orig), "id: generic-cd5220", "id: shop-vfd", 1))
	got, err := LoadProfilesWithOverrides(firmwareprofiles.FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := got["generic-cd5220"].Match.Product; len(p) != 3 || p[2] != "Shop VFD" {
		t.Errorf("override not applied: product %q", p)
	}
	if _, ok := got["shop-vfd"]; !ok || len(got) != len(builtin)+1 {
		t.Errorf("%d profiles (shop-vfd %v), want the built-in ones plus shop-vfd", len(got), ok)
	}
	write("broken.yaml", "id: broken\ncolumns: wide\n")
	if _, err := LoadProfilesWithOverrides(firmwareprofiles.FS, dir); err == nil || !strings.Contains(err.Error(), "profiles_dir") {
		t.Errorf("bad override file: %v, want an error naming profiles_dir", err)
	}
}

// TestProfiles_USBIDs: display USB ids are 4 lowercase hex digits each, and no two built-in
// display profiles claim the same VID:PID (storeagent devices matches the first).
func TestProfiles_USBIDs(t *testing.T) {
	all, err := LoadProfiles(firmwareprofiles.FS, ProfileDir)
	if err != nil {
		t.Fatal(err)
	}
	hex4 := func(s string) bool {
		if len(s) != 4 {
			return false
		}
		for _, c := range s {
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
		return true
	}
	seen := map[string]string{}
	for id, p := range all {
		for _, u := range p.Match.USB {
			if !hex4(u.VID) || (u.PID != "" && !hex4(u.PID)) {
				t.Errorf("%s: USB id %s:%s is not 4 lowercase hex digits", id, u.VID, u.PID)
			}
			k := u.VID + ":" + u.PID
			if other, dup := seen[k]; dup {
				t.Errorf("%s and %s both claim %s", id, other, k)
			}
			seen[k] = id
		}
	}
	if all["epson-dm-d110"].Match.USB == nil {
		t.Error("epson-dm-d110 has no USB id")
	}
}
