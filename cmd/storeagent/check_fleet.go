package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/sync/fleet"
)

// checkFleet describes the fleet setup and state for `storeagent check` (read only): the ring, the
// key, what central's config overlay and update last came to, and whether self-update is possible.
func checkFleet(cfg *agent.Config) (string, error) {
	st, err := fleet.LoadState(cfg.DataDir)
	if err != nil {
		return "", fmt.Errorf("%v (fix: move the file aside; the store then starts on the config file alone)", err)
	}
	parts := []string{"ring " + cfg.Fleet.Ring, "central key " + cfg.Fleet.CentralPublicKeyFile}
	switch c := st.Config; {
	case c.Trial != nil:
		parts = append(parts, fmt.Sprintf("config overlay v%d on trial", c.Trial.Version))
	case c.Good != nil:
		parts = append(parts, fmt.Sprintf("config overlay v%d in force", c.Good.Version))
	default:
		parts = append(parts, "no config overlay")
	}
	if l := st.Config.Last; l.Status != "" {
		parts = append(parts, fmt.Sprintf("last overlay v%d %s", l.Version, l.Status))
	}
	if l := st.Update.Last; l.Status != "" {
		parts = append(parts, fmt.Sprintf("last update %s %s", l.Version, l.Status))
	}
	if exe, err := os.Executable(); err == nil && fleet.PackageManaged(exe) {
		parts = append(parts, "self-update off (package-managed: update through apt/dnf)")
	}
	return strings.Join(parts, ", "), nil
}
