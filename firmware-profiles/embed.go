// Package firmwareprofiles holds the built-in per-model settings for scanners and receipt printers,
// one YAML file per model, embedded in the binary. A folder named by the config's profiles_dir
// overrides them file by file. Only the devices packages and agent import it.
package firmwareprofiles

import "embed"

// FS holds scanners/*.yaml, printers/*.yaml and displays/*.yaml.
//
//go:embed scanners printers displays
var FS embed.FS
