package packaging

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPkgbuildModule runs the package builder's own tests. It is a separate module (packaging/pkgbuild,
// so nfpm stays out of the agent's module graph) and `go test ./...` from the repository root does not
// reach it by itself; this test makes the README's one test command cover the .deb/.rpm builds too.
func TestPkgbuildModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds packages for three architectures; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmd := exec.Command(goBin, "test", "-count=1", "./...")
	cmd.Dir = "pkgbuild"
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test ./... in packaging/pkgbuild: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "ok  \tgithub.com/storeagent/storeagent/packaging/pkgbuild") {
		t.Fatalf("packaging/pkgbuild's tests did not report ok:\n%s", out)
	}
	t.Logf("%s", out)
}
