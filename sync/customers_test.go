package sync_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/centralsim"
)

func TestSyncer_Lookup(t *testing.T) {
	url := startBroker(t)
	const store = "it-cust-001"
	startSim(t, url, centralsim.Options{Customers: map[string]centralsim.Customer{
		"c1": {CustomerID: "c1", Name: "Ada Lovelace", Tier: "gold", Points: 120},
	}})
	d := openDB(t)
	clk := newClock(time.Now())
	opts := testOptions(t, url, store)
	opts.Now = clk.Now
	opts.CacheTTL = time.Hour
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	ctx := context.Background()

	t.Run("found at central, then cached", func(t *testing.T) {
		c, err := a.Lookup(ctx, "c1")
		if err != nil {
			t.Fatalf("Lookup: %v", err)
		}
		want := pos.Customer{CustomerID: "c1", Name: "Ada Lovelace", Tier: "gold", Points: 120, Source: "central"}
		if c != want {
			t.Errorf("got %+v, want %+v", c, want)
		}
		c, err = a.Lookup(ctx, "c1")
		if err != nil || c.Source != "cache" || c.Stale {
			t.Errorf("second lookup = %+v, %v; want fresh from cache", c, err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		if _, err := a.Lookup(ctx, "nobody"); !errors.Is(err, pos.ErrCustomerNotFound) {
			t.Errorf("err = %v, want ErrCustomerNotFound", err)
		}
	})
	t.Run("offline: stale cache or unavailable", func(t *testing.T) {
		clk.Advance(2 * time.Hour) // cache expired
		a.stop()
		c, err := a.Lookup(ctx, "c1")
		if err != nil || !c.Stale || c.Source != "cache" {
			t.Errorf("offline lookup = %+v, %v; want the stale cached customer", c, err)
		}
		if _, err := a.Lookup(ctx, "c2"); !errors.Is(err, pos.ErrCustomerUnavailable) {
			t.Errorf("err = %v, want ErrCustomerUnavailable", err)
		}
	})
}

func TestSyncer_LookupTimeout(t *testing.T) {
	url := startBroker(t) // no simulator: nobody answers
	d := openDB(t)
	opts := testOptions(t, url, "it-cust-002")
	opts.LookupTimeout = 200 * time.Millisecond
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	start := time.Now()
	_, err := a.Lookup(context.Background(), "c1")
	if !errors.Is(err, pos.ErrCustomerUnavailable) {
		t.Errorf("err = %v, want ErrCustomerUnavailable", err)
	}
	if el := time.Since(start); el < 200*time.Millisecond || el > 2*time.Second {
		t.Errorf("lookup took %s, want about the 200ms timeout", el)
	}
}
