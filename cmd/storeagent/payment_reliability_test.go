//go:build reliability

package main

import (
	"fmt"
	"testing"
	"time"
)

// TestReliability_PaymentKill runs the payment kill scenario (paymentKillRun): 20 rounds by
// default, 200 in the long mode.
func TestReliability_PaymentKill(t *testing.T) {
	p := reliabilityPlan(t, "STOREAGENT_RELIABILITY_PAYMENT_ROUNDS", 20, 200, 5*time.Minute, 30*time.Minute)
	var r paymentKillReport
	failures := 0
	summary(t, "kill -9 while a card payment is in flight", &failures, func(failures int) string {
		return fmt.Sprintf("runs %d%s (%d killed while the terminal held the request, %d right after the 202), failures %d; checked %d payments unknown after the restart and %d declined not_sent (the terminal never saw them), none sent twice (%d requests on the terminal), %d resolved from the slip each paying exactly one sale (a retry 200, another sale 422)",
			r.Rounds, budgetNote(r.Rounds < p.Rounds, p), r.InFlight, r.BeforeSend, failures, r.Unknown, r.NotSent, r.Requests, r.Resolved)
	})
	r = paymentKillRun(t, p.Rounds, p.Budget)
}
