package display

import (
	"context"
	"io"
	"sync"
	"time"
)

// Labels are the words the display shows, in the store's language.
type Labels struct {
	Total, Change, Idle1, Idle2 string
}

// Options configure a Driver.
type Options struct {
	// Open opens the display's port (serial or USB CDC); the driver closes it after a write error
	// and opens it again for the next screen, at most every RetryEvery.
	Open func(ctx context.Context) (io.WriteCloser, error)
	// Decimals and Sep format amounts (the currency's exponent and the locale's decimal sign).
	Decimals int
	Sep      byte
	Labels   Labels
	// IdleAfter is how long the total and change stay after a payment before the idle message
	// (default 30 s).
	IdleAfter time.Duration
	// RetryEvery bounds reopening a failed port (default 2 s).
	RetryEvery time.Duration
	// OnState, when set, is told when the display starts taking screens (nil) or stops (the
	// error); it is called from Run.
	OnState func(err error)
}

// Driver shows what happens at a lane on its pole display. Show* calls never block: the newest
// screen replaces one not yet written, and Run writes them in order of arrival.
type Driver struct {
	enc  *Encoder
	opts Options

	mu       sync.Mutex
	pending  [][]string // at most one screen waits
	total    *int64     // running total of the basket, nil when none
	wake     chan struct{}
	idleAt   time.Time
	lastErr  error
	attempts int
	up       int // 0 unknown, 1 writing, -1 failing
}

// NewDriver returns a driver for a display of profile p.
func NewDriver(p Profile, opts Options) (*Driver, error) {
	enc, err := NewEncoder(p)
	if err != nil {
		return nil, err
	}
	if opts.Sep == 0 {
		opts.Sep = '.'
	}
	if opts.IdleAfter <= 0 {
		opts.IdleAfter = 30 * time.Second
	}
	if opts.RetryEvery <= 0 {
		opts.RetryEvery = 2 * time.Second
	}
	if opts.Labels.Total == "" {
		opts.Labels.Total = "TOTAL"
	}
	if opts.Labels.Change == "" {
		opts.Labels.Change = "CHANGE"
	}
	return &Driver{enc: enc, opts: opts, wake: make(chan struct{}, 1)}, nil
}

func (d *Driver) money(v int64) string { return Money(v, d.opts.Decimals, d.opts.Sep) }

func (d *Driver) show(lines ...string) {
	d.mu.Lock()
	d.pending = [][]string{lines}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// ShowItem shows the item just scanned or added with its amount, and the running total below
// when a basket is open.
func (d *Driver) ShowItem(name string, amountMinor int64) {
	cols := d.enc.Columns()
	d.mu.Lock()
	total := d.total
	d.idleAt = time.Time{}
	d.mu.Unlock()
	second := ""
	if total != nil {
		second = Fit(d.opts.Labels.Total, d.money(*total), cols)
	}
	d.show(Fit(name, d.money(amountMinor), cols), second)
}

// ShowBasket shows the last line of the basket and its running total.
func (d *Driver) ShowBasket(lastName string, lastAmountMinor, totalMinor int64) {
	cols := d.enc.Columns()
	d.mu.Lock()
	t := totalMinor
	d.total = &t
	d.idleAt = time.Time{}
	d.mu.Unlock()
	d.show(Fit(lastName, d.money(lastAmountMinor), cols), Fit(d.opts.Labels.Total, d.money(totalMinor), cols))
}

// ShowPayment shows the total and the change of a completed sale, then the idle message after
// IdleAfter; the basket's running total is reset.
func (d *Driver) ShowPayment(totalMinor, changeMinor int64) {
	cols := d.enc.Columns()
	d.mu.Lock()
	d.total = nil
	d.idleAt = time.Now().Add(d.opts.IdleAfter)
	d.mu.Unlock()
	d.show(Fit(d.opts.Labels.Total, d.money(totalMinor), cols), Fit(d.opts.Labels.Change, d.money(changeMinor), cols))
}

// ShowIdle shows the idle message.
func (d *Driver) ShowIdle() {
	d.mu.Lock()
	d.total = nil
	d.idleAt = time.Time{}
	d.mu.Unlock()
	d.show(d.opts.Labels.Idle1, d.opts.Labels.Idle2)
}

// Run writes screens until ctx ends: the idle message first (unless a screen is already
// waiting), then every Show*. The port is
// opened (and the display initialised) on the first write and after a failure.
func (d *Driver) Run(ctx context.Context) error {
	if !d.hasPending() {
		d.ShowIdle()
	}
	var port io.WriteCloser
	defer func() {
		if port != nil {
			port.Close()
		}
	}()
	var lastFail time.Time
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		var screen []string
		if len(d.pending) > 0 {
			screen, d.pending = d.pending[0], nil
		}
		idleAt := d.idleAt
		d.mu.Unlock()
		if screen == nil && !idleAt.IsZero() && !time.Now().Before(idleAt) {
			d.ShowIdle()
			continue
		}
		if screen != nil {
			if port == nil && (lastFail.IsZero() || time.Since(lastFail) >= d.opts.RetryEvery) {
				p, err := d.opts.Open(ctx)
				if err == nil {
					// Reset, then clear and home explicitly: not every compatible display
					// clears on ESC @.
					init := append(append(d.enc.Init(), d.enc.Clear()...), d.enc.Home()...)
					if _, err = p.Write(init); err != nil {
						p.Close()
					}
				}
				if err != nil {
					d.fail(err)
					lastFail = time.Now()
				} else {
					port = p
				}
			}
			if port != nil {
				if _, err := port.Write(d.enc.Screen(screen...)); err != nil {
					d.fail(err)
					port.Close()
					port, lastFail = nil, time.Now()
					d.requeue(screen)
				} else {
					d.ok()
				}
			} else {
				d.requeue(screen)
			}
		}
		wait := time.Hour
		if !idleAt.IsZero() {
			wait = max(time.Until(idleAt), 0)
		}
		if port == nil && d.hasPending() {
			wait = min(wait, d.opts.RetryEvery)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// requeue keeps a screen that could not be written, unless a newer one arrived.
func (d *Driver) requeue(screen []string) {
	d.mu.Lock()
	if len(d.pending) == 0 {
		d.pending = [][]string{screen}
	}
	d.mu.Unlock()
}

func (d *Driver) hasPending() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending) > 0
}

func (d *Driver) fail(err error) {
	d.mu.Lock()
	d.lastErr = err
	d.attempts++
	changed := d.up != -1
	d.up = -1
	d.mu.Unlock()
	if changed && d.opts.OnState != nil {
		d.opts.OnState(err)
	}
}

func (d *Driver) ok() {
	d.mu.Lock()
	d.lastErr, d.attempts = nil, 0
	changed := d.up != 1
	d.up = 1
	d.mu.Unlock()
	if changed && d.opts.OnState != nil {
		d.opts.OnState(nil)
	}
}

// Err returns the last port error, nil after a successful write.
func (d *Driver) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}
