//go:build reliability

package main

import (
	"fmt"
	"testing"
	"time"
)

// TestReliability_FiscalKill runs the fiscal kill scenario (fiscalKillRun): 30 kills by default,
// 200 in the long mode.
func TestReliability_FiscalKill(t *testing.T) {
	p := reliabilityPlan(t, "STOREAGENT_RELIABILITY_FISCAL_ROUNDS", 30, 200, 5*time.Minute, 30*time.Minute)
	var r fiscalKillReport
	failures := 0
	summary(t, "kill -9 during French fiscal sales and closes", &failures, func(failures int) string {
		return fmt.Sprintf("kills %d, failures %d; %d fiscal verify runs passed (chains gapless and signed, closures equal to their tickets), %d day closes raced the sales (%d closures), %d answered sales each once among %d tickets, one ticket per stored sale; %d answered reprints each once among %d duplicates, numbered without gaps; %d duplicate papers, none printed twice (%d cut off by a kill, failed and not printed again)",
			r.Kills, failures, r.Verifies, r.Closes, r.Closures, r.Accepted, r.Tickets, r.Reprints, r.Duplicates, r.DuplicatePapers, r.Interrupted)
	})
	r = fiscalKillRun(t, p.Rounds, p.Budget)
}
