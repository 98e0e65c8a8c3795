//go:build reliability

package sync_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// The reliability scenarios of the link to central (go test -tags reliability; .ci/reliability
// runs them). Each prints one line "reliability: <scenario>: runs N, failures F; checked … (time)".
// STOREAGENT_RELIABILITY=long runs the long mode; $STOREAGENT_RELIABILITY_ROUNDS overrides every
// scenario's rounds and $STOREAGENT_RELIABILITY_BUDGET (a Go duration) every time budget.

// reliabilityRounds returns a scenario's rounds and budget: ci and budget by default, long and
// longBudget in the long mode, then the overrides.
func reliabilityRounds(t *testing.T, ci, long int, budget, longBudget time.Duration) (int, time.Duration) {
	t.Helper()
	rounds, limit := ci, budget
	if os.Getenv("STOREAGENT_RELIABILITY") == "long" {
		rounds, limit = long, longBudget
	}
	if v := os.Getenv("STOREAGENT_RELIABILITY_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("$STOREAGENT_RELIABILITY_ROUNDS = %q: want a positive number", v)
		}
		rounds = n
	}
	if v := os.Getenv("STOREAGENT_RELIABILITY_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("$STOREAGENT_RELIABILITY_BUDGET = %q: %v", v, err)
		}
		limit = d
	}
	return rounds, limit
}

// report prints a scenario's line when the test ends; line gets the number of failed rounds (at
// least 1 when the test failed).
func report(t *testing.T, scenario string, failed *int, line func(failures int) string) {
	start := time.Now()
	t.Cleanup(func() {
		if t.Failed() {
			*failed = max(*failed, 1)
		}
		fmt.Printf("reliability: %s: %s (%s)\n", scenario, line(*failed), took(start))
	})
}

// TestReliability_Outage: broker outages during sales, the agent restarting 1-3 times while
// offline in each; see outageScenario.
func TestReliability_Outage(t *testing.T) {
	cycles, budget := reliabilityRounds(t, 10, 60, 90*time.Second, 8*time.Minute)
	var r outageReport
	failed := 0
	report(t, "broker outage with agent restarts offline", &failed, func(failures int) string {
		if t.Skipped() {
			return "skipped: no mosquitto binary"
		}
		stopped := ""
		if r.cycles < cycles {
			stopped = fmt.Sprintf(" (time budget %s reached; %d planned)", budget, cycles)
		}
		return fmt.Sprintf("runs %d outages%s (%d agent restarts while offline), failures %d; checked %d sales at central once each with gapless seqs (%d events), the outbox emptied by central's acks, central's stock events and orders applied once and acked, its orders answered",
			r.cycles, stopped, r.restarts, failures, r.sales, r.centralEvents)
	})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	r = outageScenario(t, cycles, budget, func(int) int { return 1 + rng.IntN(3) })
}

// TestReliability_Catalog: rounds of duplicate, reordered, stale and gapped catalogue deltas with
// interrupted snapshots mixed in; see catalogChaos. The seed is printed for a replay.
func TestReliability_Catalog(t *testing.T) {
	rounds, budget := reliabilityRounds(t, 150, 1500, 2*time.Minute, 15*time.Minute)
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("STOREAGENT_RELIABILITY_SEED"), 10, 64); err == nil {
		seed = v
	}
	const store = "it-rel-cat-001"
	var r chaosReport
	failed := 0
	stopped := ""
	report(t, "catalogue events", &failed, func(failures int) string {
		return fmt.Sprintf("runs %d%s, failures %d; sent %d deltas (%d items at an older version, %d duplicated, %d dropped: gaps), %d interrupted snapshots, all shuffled; checked the replica checksum equals the simulator's after every run (seed %d: STOREAGENT_RELIABILITY_SEED)",
			r.rounds, stopped, failures, r.deltas, r.stale, r.duplicates, r.dropped, r.partialSnapshots, seed)
	})
	sim, a := catalogRig(t, store, nil)
	convergeCatalog(t, sim, a)
	rng := rand.New(rand.NewPCG(seed, 2))
	start := time.Now()
	for r.rounds < rounds {
		if time.Since(start) > budget {
			stopped = fmt.Sprintf(" (time budget %s reached; %d rounds planned)", budget, rounds)
			break
		}
		one := catalogChaos(t, sim, a, store, 1, rng)
		r.rounds++
		r.deltas, r.stale, r.duplicates = r.deltas+one.deltas, r.stale+one.stale, r.duplicates+one.duplicates
		r.dropped, r.partialSnapshots = r.dropped+one.dropped, r.partialSnapshots+one.partialSnapshots
	}
}

// took is the time since start, to the second (a tenth under 10 s).
func took(start time.Time) time.Duration {
	if d := time.Since(start); d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return time.Since(start).Round(time.Second)
}
