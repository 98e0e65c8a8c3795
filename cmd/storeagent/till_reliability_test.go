//go:build reliability

package main

import (
	"fmt"
	"testing"
	"time"
)

// TestReliability_TillClose runs the till kill scenario (tillKillRun) for the plan's rounds: 150 by
// default (50 of each kill moment), 1,000 in the long mode.
func TestReliability_TillClose(t *testing.T) {
	p := reliabilityPlan(t, "STOREAGENT_RELIABILITY_TILL_ROUNDS", 150, 1000, 5*time.Minute, 30*time.Minute)
	var r tillReport
	failures := 0
	summary(t, "kill -9 around till closes", &failures, func(failures int) string {
		if t.Skipped() {
			return "skipped: no mosquitto binary"
		}
		return fmt.Sprintf("runs %d%s (%d kills between the count and the close, %d during the close, %d while sales raced the close), failures %d; checked %d sessions each closed once with one Z (z_no gapless), each Z equal to the sum of its %d sales locally and at central (%d Zs, %d sales), no sale in two sessions or none",
			r.Rounds, budgetNote(r.BudgetHit, p), r.BetweenCountAndClose, r.DuringClose, r.Race, failures, r.Sessions, r.Sales, r.CentralZ, r.CentralSales)
	})
	r = tillKillRun(t, p.Rounds, p.Budget, true)
}
