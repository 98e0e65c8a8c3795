// Package fpmate is the Epson fiscal-printer driver (FP-81 II RT, FP-90III RT) over the printer's
// "fpmate" XML/SOAP interface (POST http://<ip>/cgi-bin/fpmate.cgi). It implements
// fiscalprinter.Printer; the agent builds one from the `fiscal.printer` config keys.
//
// Every method is exactly one HTTP request (Serial is two, cached after the first success) and
// none retries: the caller decides from the *fiscalprinter.Error. Protocol facts and their
// sources are in docs/fiscal-it.md.
package fpmate

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
)

// Config is the `fiscal.printer` block: driver epson-fpmate.
type Config struct {
	// URL of fpmate.cgi, e.g. http://192.168.1.50/cgi-bin/fpmate.cgi.
	URL string
	// Timeout bounds one request (default 10s). The printer's own timeout (?timeout=, in ms) is
	// four fifths of it, capped at 60 s, so the printer normally answers before the client gives up.
	Timeout time.Duration
	// Departments maps a VAT rate in basis points (2200 = 22 %) to the RT department (1-99)
	// programmed with that rate on the printer.
	Departments map[int64]int
	// Payments maps a sale's payment method (cash, card, voucher, …) to the RT's
	// [paymentType, index]: paymentType 0 cash, 1 cheque, 2 card, 3 ticket, 4 ticket with
	// number, 5 not paid, 6 discount on payment; index is the sub-index programmed on the printer.
	Payments map[string][2]int
	// Operator is the RT operator number (1-99) used when a document names none ("1" when empty).
	Operator string
	// HTTPClient sends the requests (default: a client of its own; the deadline comes from
	// Timeout through the request's context).
	HTTPClient *http.Client
	// Location is the printer clock's time zone, for the dates it reports (default time.Local).
	Location *time.Location
}

// MaxResponse bounds a response body; a longer one is an error.
const MaxResponse = 64 << 10

// Driver is one Epson RT reached over fpmate.
type Driver struct {
	cfg      Config
	endpoint string // URL with ?timeout=
	client   *http.Client

	mu     sync.Mutex
	serial string // cached after the first successful Serial
}

var _ fiscalprinter.Printer = (*Driver)(nil)

// New checks cfg and returns a driver. It sends nothing.
func New(cfg Config) (*Driver, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Operator == "" {
		cfg.Operator = "1"
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	u, _ := url.Parse(cfg.URL)
	q := u.Query()
	q.Set("timeout", strconv.FormatInt(serverTimeout(cfg.Timeout).Milliseconds(), 10))
	u.RawQuery = q.Encode()
	return &Driver{cfg: cfg, endpoint: u.String(), client: client}, nil
}

// serverTimeout is the ?timeout= given to the printer: 4/5 of the client's, at most 60 s (the
// fpmate maximum, per the Italian POS library quoted in docs/fiscal-it.md), at least 100 ms.
func serverTimeout(client time.Duration) time.Duration {
	t := client * 4 / 5
	if t > 60*time.Second {
		t = 60 * time.Second
	}
	if t < 100*time.Millisecond {
		t = 100 * time.Millisecond
	}
	return t
}

func (c Config) validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("fiscal.printer.url: %q is not an http(s) URL", c.URL)
	}
	if c.Timeout < 0 || c.Timeout > 5*time.Minute {
		return fmt.Errorf("fiscal.printer.timeout: %s is outside 0..5m", c.Timeout)
	}
	if len(c.Departments) == 0 {
		return errors.New("fiscal.printer.departments: none configured (tax_rate_bp: department)")
	}
	for _, rate := range sortedRates(c.Departments) {
		d := c.Departments[rate]
		if rate < 0 || rate > 10000 {
			return fmt.Errorf("fiscal.printer.departments: rate %d bp is outside 0..10000", rate)
		}
		if d < 1 || d > 99 {
			return fmt.Errorf("fiscal.printer.departments: rate %d bp: department %d is outside 1..99", rate, d)
		}
	}
	if len(c.Payments) == 0 {
		return errors.New("fiscal.printer.payments: none configured (method: [paymentType, index])")
	}
	for m, p := range c.Payments {
		if m == "" {
			return errors.New("fiscal.printer.payments: empty method name")
		}
		if p[0] < 0 || p[0] > 6 {
			return fmt.Errorf("fiscal.printer.payments.%s: paymentType %d is outside 0..6", m, p[0])
		}
		if p[1] < 0 || p[1] > 99 {
			return fmt.Errorf("fiscal.printer.payments.%s: index %d is outside 0..99", m, p[1])
		}
	}
	if c.Operator != "" {
		if n, err := strconv.Atoi(c.Operator); err != nil || n < 1 || n > 99 || strconv.Itoa(n) != c.Operator {
			return fmt.Errorf("fiscal.printer operator %q is not a number 1..99", c.Operator)
		}
	}
	return nil
}

func sortedRates(m map[int64]int) []int64 {
	r := make([]int64, 0, len(m))
	for k := range m {
		r = append(r, k)
	}
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	return r
}
