package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
)

// Lookup implements pos.CustomerDirectory: a customer cached less than CacheTTL ago is served from
// the cache; otherwise central is asked (retail.customer.lookup) and its answer awaited up to
// LookupTimeout. Offline or on timeout the cache is served with Stale set; with nothing cached the
// answer is pos.ErrCustomerUnavailable. Central's "not found" is pos.ErrCustomerNotFound and
// drops the cached entry. Waiting happens on the caller's goroutine, never on the MQTT handler's.
func (s *Syncer) Lookup(ctx context.Context, id string) (pos.Customer, error) {
	cached, fetched, err := s.cachedCustomer(ctx, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return pos.Customer{}, fmt.Errorf("customer %s: read cache: %w", id, err)
	}
	hasCache := err == nil
	if hasCache && s.opts.Now().Sub(fetched) < s.opts.CacheTTL {
		cached.Source = "cache"
		return cached, nil
	}
	stale := func() (pos.Customer, error) {
		if !hasCache {
			return pos.Customer{}, pos.ErrCustomerUnavailable
		}
		cached.Source, cached.Stale = "cache", true
		return cached, nil
	}
	if !s.Online() {
		return stale()
	}
	reqID := uuid.Must(uuid.NewV7()).String()
	reply := make(chan *CustomerResultData, 1)
	s.mu.Lock()
	s.waiters[reqID] = reply
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.waiters, reqID)
		s.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, s.opts.LookupTimeout)
	defer cancel()
	if err := s.publishWait(ctx, TopicCustomerLookup, TypeCustomerLookup, CustomerLookupData{RequestID: reqID, CustomerID: id}); err != nil {
		s.log.Info("customer lookup not sent", "customer_id", id, "err", err)
		return stale()
	}
	select {
	case <-ctx.Done():
		return stale()
	case r := <-reply:
		if !r.Found {
			if _, err := s.db.W.ExecContext(context.WithoutCancel(ctx), `DELETE FROM customers_cache WHERE customer_id = ?1`, id); err != nil {
				s.log.Warn("drop cached customer", "customer_id", id, "err", db.Explain(err))
			}
			return pos.Customer{}, pos.ErrCustomerNotFound
		}
		c := pos.Customer{CustomerID: id, Name: r.Customer.Name, Tier: r.Customer.Tier, Points: r.Customer.Points, Source: "central"}
		if _, err := s.db.W.ExecContext(context.WithoutCancel(ctx), `INSERT INTO customers_cache
			(customer_id, name, tier, points, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)
			ON CONFLICT (customer_id) DO UPDATE SET name = excluded.name, tier = excluded.tier,
			points = excluded.points, fetched_at = excluded.fetched_at`,
			id, c.Name, c.Tier, c.Points, s.now()); err != nil {
			s.log.Warn("cache customer", "customer_id", id, "err", db.Explain(err))
		}
		return c, nil
	}
}

func (s *Syncer) cachedCustomer(ctx context.Context, id string) (pos.Customer, time.Time, error) {
	var c pos.Customer
	var fetched string
	err := s.db.R.QueryRowContext(ctx, `SELECT customer_id, name, tier, points, fetched_at FROM customers_cache
		WHERE customer_id = ?1`, id).Scan(&c.CustomerID, &c.Name, &c.Tier, &c.Points, &fetched)
	if err != nil {
		return c, time.Time{}, err
	}
	t, _ := time.Parse(time.RFC3339Nano, fetched)
	return c, t, nil
}

// deliverCustomer hands a reply to its waiter, if one still waits; it never blocks.
func (s *Syncer) deliverCustomer(r *CustomerResultData) {
	s.mu.Lock()
	ch := s.waiters[r.RequestID]
	s.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- r:
	default:
	}
}
