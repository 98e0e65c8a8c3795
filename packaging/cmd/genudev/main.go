// Command genudev writes packaging/udev/70-storeagent.rules from the built-in firmware profiles.
// Run it through `go generate ./packaging`.
package main

import (
	"flag"
	"fmt"
	"os"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/packaging"
)

func main() {
	out := flag.String("o", "udev/70-storeagent.rules", "output file")
	flag.Parse()
	models, err := packaging.ProfileUSBModels(firmwareprofiles.FS)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genudev:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, []byte(packaging.GenerateUdevRules(models)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genudev:", err)
		os.Exit(1)
	}
}
