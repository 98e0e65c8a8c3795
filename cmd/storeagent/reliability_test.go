//go:build reliability

package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// The reliability scenarios of the built agent (go test -tags reliability; .ci/reliability runs
// them). Each prints one line "reliability: <scenario>: runs N, failures F; checked … (time)".
// STOREAGENT_RELIABILITY=long runs the long mode; see reliabilityPlan for the overrides.

// plan is a scenario's rounds and time budget.
type plan struct {
	Rounds int
	Budget time.Duration
	Mode   string
}

// reliabilityPlan picks the rounds and budget of a scenario: ci and budget by default, long and
// longBudget with STOREAGENT_RELIABILITY=long. $STOREAGENT_RELIABILITY_ROUNDS overrides the rounds
// of every scenario and $<roundsEnv> (when set) those of this one; $STOREAGENT_RELIABILITY_BUDGET
// (a Go duration) overrides every budget.
func reliabilityPlan(t *testing.T, roundsEnv string, ci, long int, budget, longBudget time.Duration) plan {
	t.Helper()
	p := plan{Rounds: ci, Budget: budget, Mode: "ci"}
	if os.Getenv("STOREAGENT_RELIABILITY") == "long" {
		p = plan{Rounds: long, Budget: longBudget, Mode: "long"}
	}
	for _, env := range []string{"STOREAGENT_RELIABILITY_ROUNDS", roundsEnv} {
		if v := os.Getenv(env); env != "" && v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				t.Fatalf("$%s = %q: want a positive number", env, v)
			}
			p.Rounds = n
		}
	}
	if v := os.Getenv("STOREAGENT_RELIABILITY_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("$STOREAGENT_RELIABILITY_BUDGET = %q: %v", v, err)
		}
		p.Budget = d
	}
	return p
}

// summary prints the scenario's line when the test ends. line gets the failures: *failures, at
// least 1 when the test failed.
func summary(t *testing.T, scenario string, failures *int, line func(failures int) string) {
	start := time.Now()
	t.Cleanup(func() {
		if t.Failed() && *failures == 0 {
			*failures = 1
		}
		fmt.Printf("reliability: %s: %s (%s)\n", scenario, line(*failures), took(start))
	})
}

// budgetNote says when a budget stopped a scenario before its rounds.
func budgetNote(hit bool, p plan) string {
	if hit {
		return fmt.Sprintf(" (time budget %s reached; %d rounds planned)", p.Budget, p.Rounds)
	}
	return ""
}

func TestReliability_KillDuringSales(t *testing.T) { killScenario(t, "kill -9 during sales", false) }

// TestReliability_KillDuringDrain alternates offline bursts of sales (a backlog) and online starts
// killed while the outbox drains it to central.
func TestReliability_KillDuringDrain(t *testing.T) {
	killScenario(t, "kill -9 during outbox drain", true)
}

// killScenario runs killRun with Mosquitto for the plan's kills (200; 1,000 in the long mode;
// $STOREAGENT_RELIABILITY_KILLS) within its budget.
func killScenario(t *testing.T, name string, drain bool) {
	// The long drain run needs the longer budget: its database grows to ~320k sales, and 820 of
	// its 1,000 kills fitted in 40 minutes on 2 cores.
	longBudget := 40 * time.Minute
	if drain {
		longBudget = 75 * time.Minute
	}
	p := reliabilityPlan(t, "STOREAGENT_RELIABILITY_KILLS", 200, 1000, 6*time.Minute, longBudget)
	var r killReport
	failures := 0
	summary(t, name, &failures, func(failures int) string {
		if t.Skipped() {
			return "skipped: no mosquitto binary"
		}
		how := ""
		if drain {
			how = fmt.Sprintf(" (half of them offline while selling builds a backlog, half online while it drains: %d cut it mid-drain, with %d backlog events unacked in all)",
				r.MidDrain, r.BacklogAtKill)
		}
		return fmt.Sprintf("runs %d%s%s, failures %d; checked %d sales (%d answered 201, %d found by a retry) stored once locally and once at central (%d events, gapless seq per epoch and topic, none unknown to the store), exact stock, integrity_check ok ×%d",
			r.Kills, budgetNote(r.BudgetHit, p), how, failures, r.Stored, r.Accepted, r.Retried200, r.CentralEvents, r.IntegrityChecks+1)
	})
	r = killRun(t, killOptions{Kills: p.Rounds, Drain: drain, Budget: p.Budget, RequireMosquitto: true})
}

// TestReliability_DiskFull fills a real tmpfs under the built agent (when the test may mount one)
// and the database's page limit under the agent in the test process, several rounds each.
func TestReliability_DiskFull(t *testing.T) {
	p := reliabilityPlan(t, "", 5, 25, 2*time.Minute, 10*time.Minute)
	var tmpfsSales, injectedSales int
	skip := ""
	failures := 0
	summary(t, "disk full", &failures, func(failures int) string {
		tmpfs := fmt.Sprintf("tmpfs under the built agent ×%d, %d sales fitted", p.Rounds, tmpfsSales)
		runs := 2 * p.Rounds
		if skip != "" {
			tmpfs, runs = "tmpfs skipped: "+skip, p.Rounds
		}
		return fmt.Sprintf("runs %d (%s; injected SQLITE_FULL ×%d, %d sales fitted), failures %d; checked 503 storage_full, the refused sale not stored, /healthz 503 on the tmpfs, the same sale id 201 once space returned, sales stored = sales accepted, integrity_check ok",
			runs, tmpfs, p.Rounds, injectedSales, failures)
	})
	for _, path := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"tmpfs", func(t *testing.T) { tmpfsSales, skip = diskFullTmpfs(t, p.Rounds) }},
		{"injected", func(t *testing.T) { injectedSales = diskFullInjected(t, p.Rounds) }},
	} {
		if !t.Run(path.name, path.run) {
			failures++
		}
	}
}

// took is the time since start, to the second (a tenth under 10 s).
func took(start time.Time) time.Duration {
	if d := time.Since(start); d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return time.Since(start).Round(time.Second)
}
