package agent

import (
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"time"
)

// FiscalConfig is the fiscal: key (CONTRACT.md wave 2, "Fiscal law"): which country's fiscal law
// the store follows: France (FR, the signed journal) or Italy (IT, the Registratore Telematico).
type FiscalConfig struct {
	// Country is "" (no fiscal law: receipts say non-fiscal), FR or IT.
	Country string `yaml:"country"`
	// SIRET is the French establishment number (14 digits), printed on every receipt. FR only.
	SIRET string `yaml:"siret"`
	// NAF is the French activity code (APE), four digits and a letter such as 4711D. FR only.
	NAF string `yaml:"naf"`
	// KeyFile is the store's Ed25519 private key (PKCS#8 PEM); "" means fiscal_ed25519.pem in
	// data_dir, made at first start with mode 0600.
	KeyFile string `yaml:"key_file"`
	// Training puts the whole store in training mode: every record goes to the training chain
	// and receipts say "MODE ÉCOLE — FACTICE".
	Training bool `yaml:"training"`
	// Printer is the Italian Registratore Telematico every sale is registered on. IT only.
	Printer FiscalPrinterConfig `yaml:"printer,omitempty"`
}

// FiscalPrinterConfig is fiscal.printer: the RT, its driver and how the store's VAT rates and
// payment methods map to the departments and payment indexes programmed on it.
type FiscalPrinterConfig struct {
	// Driver is the RT's protocol: epson-fpmate (Epson FP-81 II RT / FP-90III RT).
	Driver string `yaml:"driver"`
	// URL is the fpmate endpoint, http(s)://<ip>/cgi-bin/fpmate.cgi.
	URL string `yaml:"url"`
	// Timeout bounds one request to the RT (default 10s; 1s..60s).
	Timeout Duration `yaml:"timeout"`
	// Departments maps a VAT rate (basis points) to the RT department (1..99) programmed with it.
	Departments map[int64]int64 `yaml:"departments"`
	// Payments maps a payment method to the RT's [paymentType, index].
	Payments map[string][]int64 `yaml:"payments"`
}

// set reports whether any fiscal.printer key was given.
func (p FiscalPrinterConfig) set() bool {
	return p.Driver != "" || p.URL != "" || p.Timeout != 0 || p.Departments != nil || p.Payments != nil
}

// FiscalPrinterTimeout is fiscal.printer.timeout, 10s when unset.
func (c *Config) FiscalPrinterTimeout() time.Duration {
	if c.Fiscal.Printer.Timeout == 0 {
		return 10 * time.Second
	}
	return c.Fiscal.Printer.Timeout.Std()
}

// FiscalIT reports whether the store registers its sales on an RT.
func (c *Config) FiscalIT() bool { return c.Fiscal.Country == "IT" }

// The RT's payment types (Epson printRecTotal paymentType): 0 cash, 1 cheque, 2 card, 3 ticket,
// 4 ticket with number, 5 not paid, 6 discount on payment.
const maxRTPaymentType = 6

// validateFiscalPrinter checks fiscal.printer for an Italian store.
func (c *Config) validateFiscalPrinter(ps *configProblems) {
	p := c.Fiscal.Printer
	if p.Driver != "epson-fpmate" {
		ps.add("fiscal.printer.driver", fmt.Sprintf("%q is not a fiscal printer driver: want epson-fpmate (required with fiscal.country IT)", p.Driver))
	}
	if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		ps.add("fiscal.printer.url", fmt.Sprintf("%q is not an http(s) URL like http://192.168.1.50/cgi-bin/fpmate.cgi", p.URL))
	}
	if t := p.Timeout.Std(); p.Timeout != 0 && (t < time.Second || t > time.Minute) {
		ps.add("fiscal.printer.timeout", fmt.Sprintf("%s is not between 1s and 60s", p.Timeout))
	}
	if len(p.Departments) == 0 {
		ps.add("fiscal.printer.departments", "empty: map each VAT rate (basis points) to its RT department, e.g. {2200: 1, 1000: 2, 400: 3, 500: 4, 0: 13}")
	}
	for _, bp := range slices.Sorted(maps.Keys(p.Departments)) {
		key := fmt.Sprintf("fiscal.printer.departments.%d", bp)
		if bp < 0 || bp > 10000 {
			ps.add(key, fmt.Sprintf("%d is not a VAT rate in basis points (0..10000)", bp))
		}
		if d := p.Departments[bp]; d < 1 || d > 99 {
			ps.add(key, fmt.Sprintf("department %d is not between 1 and 99", d))
		}
	}
	if _, ok := p.Payments["cash"]; !ok {
		ps.add("fiscal.printer.payments", "cash is not mapped: give each payment method its RT [paymentType, index], e.g. {cash: [0, 0], card: [2, 1]}")
	}
	for _, m := range slices.Sorted(maps.Keys(p.Payments)) {
		key := "fiscal.printer.payments." + m
		if !slices.Contains([]string{"cash", "card", "voucher", "prepaid", "other"}, m) {
			ps.add(key, "unknown payment method; allowed: cash, card, voucher, prepaid, other")
			continue
		}
		v := p.Payments[m]
		switch {
		case len(v) != 2:
			ps.add(key, fmt.Sprintf("want [paymentType, index], found %d values", len(v)))
		case v[0] < 0 || v[0] > maxRTPaymentType:
			ps.add(key, fmt.Sprintf("paymentType %d is not between 0 and %d (0 cash, 2 card, 3 ticket …)", v[0], maxRTPaymentType))
		case v[1] < 0 || v[1] > 99:
			ps.add(key, fmt.Sprintf("index %d is not between 0 and 99", v[1]))
		}
	}
}

var (
	configSIRETRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{14}$`) })
	configNAFRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{2}\.?[0-9]{2}[A-Z]$`) })
)

// FiscalFR reports whether the French fiscal journal is on.
func (c *Config) FiscalFR() bool { return c.Fiscal.Country == "FR" }

// FiscalKeyFile is the store key's path: fiscal.key_file, or the default in data_dir.
func (c *Config) FiscalKeyFile() string {
	if c.Fiscal.KeyFile != "" {
		return c.Fiscal.KeyFile
	}
	return filepath.Join(c.DataDir, "fiscal_ed25519.pem")
}

// validateFiscal checks the fiscal: key.
func (c *Config) validateFiscal(ps *configProblems) {
	f := c.Fiscal
	switch f.Country {
	case "":
		for key, v := range map[string]string{"fiscal.siret": f.SIRET, "fiscal.naf": f.NAF, "fiscal.key_file": f.KeyFile} {
			if v != "" {
				ps.add(key, "set, but fiscal.country is empty (no fiscal law): set fiscal.country: FR or remove it")
			}
		}
		if f.Training {
			ps.add("fiscal.training", "true, but fiscal.country is empty: training mode is a fiscal (FR) feature")
		}
		if f.Printer.set() {
			ps.add("fiscal.printer", "set, but fiscal.country is empty: the RT printer is for fiscal.country IT")
		}
	case "FR":
		if f.Printer.set() {
			ps.add("fiscal.printer", "set, but fiscal.country is FR: the RT printer is for fiscal.country IT")
		}
		if !configSIRETRe().MatchString(f.SIRET) {
			ps.add("fiscal.siret", fmt.Sprintf("%q is not a SIRET: want 14 digits (required with fiscal.country FR)", f.SIRET))
		}
		if f.NAF != "" && !configNAFRe().MatchString(f.NAF) {
			ps.add("fiscal.naf", fmt.Sprintf("%q is not a NAF/APE code like 4711D", f.NAF))
		}
	case "IT":
		for key, v := range map[string]string{"fiscal.siret": f.SIRET, "fiscal.naf": f.NAF, "fiscal.key_file": f.KeyFile} {
			if v != "" {
				ps.add(key, "set, but fiscal.country is IT: this is a French (FR) key")
			}
		}
		if f.Training {
			ps.add("fiscal.training", "true, but fiscal.country is IT: training mode is a French (FR) feature")
		}
		c.validateFiscalPrinter(ps)
	default:
		ps.add("fiscal.country", fmt.Sprintf("%q is not one of \"\", FR, IT", f.Country))
	}
}
