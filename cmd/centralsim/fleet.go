package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/fleet"
)

// runFleet is `centralsim fleet keygen|status|config|command|update`: IT's fleet console
// (docs/fleet.md). Everything it sends is signed with -key; it waits for the stores' reports and
// prints them, and exits 1 when a store did not apply what it was sent.
func runFleet(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("usage: centralsim fleet keygen|status|config|command|update [flags]")}
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("centralsim fleet "+sub, flag.ContinueOnError)
	broker := fs.String("broker", "tcp://127.0.0.1:1883", "MQTT broker URL")
	prefix := fs.String("prefix", "retail", "topic prefix")
	username := fs.String("username", "", "MQTT username (password from $CENTRALSIM_PASSWORD)")
	keyFile := fs.String("key", "central.key", "central's Ed25519 private key (PEM PKCS #8)")
	stores := fs.String("stores", "", "comma-separated store ids")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the stores' reports")
	pubFile := fs.String("pub", "central.pub", "keygen: where to write the public key (give it to the stores as fleet.central_public_key_file)")
	version := fs.String("version", "", "config: the overlay version (a number, higher than the last); update: the binary's version")
	overlay := fs.String("overlay", "", "config: the overlay, a JSON object or @FILE")
	name := fs.String("name", "", "command: resync, diagnostics, reprint or restart")
	cmdArgs := fs.String("args", "", "command: its args, a JSON object")
	outFile := fs.String("o", "", "command diagnostics: write the bundle(s) here (one JSON per store, -o is a prefix with several)")
	url := fs.String("url", "", "update: the https URL of the binary")
	binFile := fs.String("file", "", "update: the binary, to compute its sha256")
	sum := fs.String("sha256", "", "update: the binary's sha256 (or -file)")
	ring := fs.String("ring", "stable", "update: the ring it is for")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if sub == "keygen" {
		if err := fleet.WriteKeyPair(*keyFile, *pubFile); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s (keep it secret) and %s (fleet.central_public_key_file on every store)\n", *keyFile, *pubFile)
		return nil
	}
	var targets []string
	for _, s := range strings.Split(*stores, ",") {
		if s = strings.TrimSpace(s); s != "" {
			targets = append(targets, s)
		}
	}
	if len(targets) == 0 && sub != "status" {
		return usageError{errors.New("-stores is required")}
	}
	opts := centralsim.ConsoleOptions{Broker: *broker, TopicPrefix: *prefix, Username: *username, Password: os.Getenv("CENTRALSIM_PASSWORD")}
	if sub != "status" {
		k, err := fleet.LoadPrivateKey(*keyFile)
		if err != nil {
			return err
		}
		opts.Key = k
	}
	con, err := centralsim.DialConsole(ctx, opts)
	if err != nil {
		return err
	}
	defer con.Close()
	wctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	switch sub {
	case "status":
		<-wctx.Done() // retained status and reports arrive at once; the rest within -wait
		printStatus(out, con.Snapshot(), targets)
		return nil
	case "config":
		return fleetConfig(ctx, wctx, out, con, targets, *version, *overlay)
	case "command":
		return fleetCommand(ctx, wctx, out, con, targets, *name, *cmdArgs, *outFile)
	case "update":
		return fleetUpdate(ctx, wctx, out, con, targets, fleet.UpdateAvailableData{Version: *version, URL: *url, SHA256: *sum, Ring: *ring}, *binFile)
	}
	return usageError{fmt.Errorf("unknown fleet command %q (keygen, status, config, command, update)", sub)}
}

func printStatus(out io.Writer, s centralsim.Snapshot, only []string) {
	seen := map[string]bool{}
	for st := range s.Status {
		seen[st] = true
	}
	for st := range s.Config {
		seen[st] = true
	}
	for st := range s.Update {
		seen[st] = true
	}
	var ids []string
	for st := range seen {
		if len(only) == 0 || contains(only, st) {
			ids = append(ids, st)
		}
	}
	sort.Strings(ids)
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "STORE\tONLINE\tVERSION\tCONFIG\tUPDATE")
	for _, id := range ids {
		var st struct {
			Online       bool   `json:"online"`
			AgentVersion string `json:"agent_version"`
		}
		_ = json.Unmarshal(s.Status[id], &st)
		cfg, upd := "-", "-"
		if c, ok := s.Config[id]; ok {
			cfg = fmt.Sprintf("v%d %s", c.Version, c.Status)
		}
		if u, ok := s.Update[id]; ok {
			upd = fmt.Sprintf("%s %s", u.Version, u.Status)
		}
		fmt.Fprintf(w, "%s\t%v\t%s\t%s\t%s\n", id, st.Online, st.AgentVersion, cfg, upd)
	}
	w.Flush()
}

func fleetConfig(ctx, wctx context.Context, out io.Writer, con *centralsim.Console, stores []string, version, overlay string) error {
	var v int64
	if _, err := fmt.Sscan(version, &v); err != nil || v < 1 {
		return usageError{fmt.Errorf("-version %q: want a positive number", version)}
	}
	raw := []byte(overlay)
	if strings.HasPrefix(overlay, "@") {
		b, err := os.ReadFile(overlay[1:])
		if err != nil {
			return err
		}
		raw = b
	}
	if !json.Valid(raw) || len(strings.TrimSpace(string(raw))) == 0 || strings.TrimSpace(string(raw))[0] != '{' {
		return usageError{errors.New("-overlay: want a JSON object (or @FILE holding one)")}
	}
	for _, st := range stores {
		if err := con.SetConfig(ctx, st, v, raw); err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
	}
	failed := 0
	for _, st := range stores {
		r, err := con.WaitConfig(wctx, st, v, fleet.StatusApplied, fleet.StatusRejected, fleet.StatusRolledBack)
		if err != nil {
			fmt.Fprintf(out, "%s\tv%d\tno report within the wait\n", st, v)
			failed++
			continue
		}
		fmt.Fprintf(out, "%s\tv%d\t%s\t%s%s\n", st, v, r.Status, r.Error, ignoredNote(r.Ignored))
		if r.Status != fleet.StatusApplied {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d stores did not apply config v%d", failed, len(stores), v)
	}
	return nil
}

func ignoredNote(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return "pinned by the store, kept: " + strings.Join(keys, ", ")
}

func fleetCommand(ctx, wctx context.Context, out io.Writer, con *centralsim.Console, stores []string, name, args, outFile string) error {
	if name == "" {
		return usageError{errors.New("-name is required")}
	}
	var a any
	if args != "" {
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			return usageError{fmt.Errorf("-args: %w", err)}
		}
	}
	ids := map[string]string{}
	for _, st := range stores {
		id, err := con.Command(ctx, st, name, a)
		if err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
		ids[st] = id
	}
	failed := 0
	for _, st := range stores {
		r, err := con.WaitResult(wctx, ids[st])
		if err != nil {
			fmt.Fprintf(out, "%s\t%s\tno result within the wait\n", st, name)
			failed++
			continue
		}
		fmt.Fprintf(out, "%s\t%s\t%s\t%s%s\n", st, name, r.Status, r.Error, string(r.Result))
		if r.Status != fleet.StatusOK {
			failed++
			continue
		}
		if name == fleet.CommandDiagnostics && outFile != "" {
			b, err := con.Diagnostics(wctx, ids[st])
			if err != nil {
				fmt.Fprintf(out, "%s\tdiagnostics bundle: %v\n", st, err)
				failed++
				continue
			}
			path := outFile
			if len(stores) > 1 {
				path = outFile + "-" + st + ".json"
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s\tbundle written to %s (%d bytes)\n", st, path, len(b))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d stores did not run %s", failed, len(stores), name)
	}
	return nil
}

func fleetUpdate(ctx, wctx context.Context, out io.Writer, con *centralsim.Console, stores []string, u fleet.UpdateAvailableData, binFile string) error {
	if binFile != "" {
		b, err := os.ReadFile(binFile)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		u.SHA256 = hex.EncodeToString(h[:])
	}
	if u.Version == "" || u.URL == "" || u.SHA256 == "" {
		return usageError{errors.New("-version, -url and -sha256 (or -file) are required")}
	}
	for _, st := range stores {
		if err := con.OfferUpdate(ctx, st, u); err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
	}
	failed := 0
	for _, st := range stores {
		r, err := con.WaitUpdate(wctx, st, u.Version, fleet.StatusApplied, fleet.StatusRejected, fleet.StatusRolledBack)
		if err != nil {
			fmt.Fprintf(out, "%s\t%s\tno report within the wait (a store waits for an idle moment)\n", st, u.Version)
			failed++
			continue
		}
		fmt.Fprintf(out, "%s\t%s\t%s\trunning %s\t%s\n", st, u.Version, r.Status, r.Running, r.Error)
		if r.Status != fleet.StatusApplied {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d stores did not apply update %s", failed, len(stores), u.Version)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
