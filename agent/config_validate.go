package agent

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/storeagent/storeagent/scanner"
)

// Validate fills in the defaults that derive from other keys (mqtt.client_id, rcn_region, each
// device's profile), then checks every key and every cross-reference. It returns all problems at
// once as a *ConfigError, each "key.path: message" naming what is allowed, for example
// `devices[1].transport: "usb2" is not one of serial, hid, usblp, tcp`.
func (c *Config) Validate() error {
	c.applyDerivedDefaults()
	var ps configProblems
	c.validateStore(&ps)
	c.validateRCN(&ps)
	c.validateLinks(&ps)
	c.validateLog(&ps)
	c.validateHTTP(&ps)
	c.validateCustomers(&ps)
	c.validateMQTT(&ps)
	c.validateDevices(&ps)
	c.validateTerminals(&ps)
	c.validateTill(&ps)
	c.validateDrawers(&ps)
	c.validateFiscal(&ps)
	c.validatePayments(&ps)
	c.validateFleet(&ps)
	c.validatePOS(&ps)
	return ps.err()
}

// applyDerivedDefaults sets the defaults that depend on other keys; it leaves values that are
// set, and is safe to call more than once.
func (c *Config) applyDerivedDefaults() {
	if c.MQTT.ClientID == "" && c.StoreID != "" {
		c.MQTT.ClientID = configDefaultClientIDPrefix + c.StoreID
	}
	if c.RCNRegion == "" {
		if tag, err := language.Parse(c.Locale); err == nil {
			if r, conf := tag.Region(); conf == language.Exact && configRegionRe().MatchString(r.String()) {
				c.RCNRegion = r.String()
			}
		}
	}
	if c.Till.Denominations == nil {
		c.Till.Denominations = DefaultDenominations(c.Currency)
	}
	for i := range c.Devices {
		if d := &c.Devices[i]; d.Profile == "" {
			d.Profile = configDefaultProfile(d.Type, d.Transport)
		}
	}
}

// configDefaultProfile is the built-in firmware profile for a device without one, or "" when
// the type and transport do not go together (Validate reports that).
func configDefaultProfile(typ, transport string) string {
	switch {
	case typ == "scanner" && transport == "hid":
		return "generic-hid-scanner"
	case typ == "scanner" && (transport == "serial" || transport == "tcp"):
		return "generic-serial-scanner"
	case typ == "printer" && transport != "hid":
		return "generic-80mm"
	case typ == "payment":
		return configPaymentProfileDefault
	case typ == "display" && transport == "serial":
		return "generic-cd5220"
	}
	return ""
}

var (
	configStoreIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9-]{1,64}$`) })
	configRegionRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]{2}$`) })
)

// configLanguages are the languages receipts and pages are written in (CONTRACT.md: en, it, fr, fi).
var configLanguages = []string{"en", "it", "fr", "fi"}

// validateStore checks store_id, data_dir, locale, currency, store and cash_rounding_minor.
func (c *Config) validateStore(ps *configProblems) {
	switch {
	case c.StoreID == "":
		ps.add("store_id", "required: the store's id, [a-z0-9-]{1,64}, e.g. it-mi-001")
	case !configStoreIDRe().MatchString(c.StoreID):
		ps.add("store_id", fmt.Sprintf("%q must be 1 to 64 of a-z, 0-9 and -", c.StoreID))
	}
	if strings.TrimSpace(c.DataDir) == "" {
		ps.add("data_dir", "required: the folder for the database, backups and spool")
	}
	c.validateLocale(ps)
	c.validateCurrency(ps)
	switch tz := c.Store.Timezone; {
	case tz == "":
		ps.add("store.timezone", "required: an IANA time zone such as Europe/Rome or UTC")
	case tz == "Local":
		ps.add("store.timezone", `"Local" depends on the host; name the store's IANA time zone, such as Europe/Rome`)
	default:
		if _, err := time.LoadLocation(tz); err != nil {
			ps.add("store.timezone", fmt.Sprintf("%q is not an IANA time zone (such as Europe/Rome or UTC)", tz))
		}
	}
	if r := c.CashRoundingMinor; r < 0 || r > 100 {
		ps.add("cash_rounding_minor", fmt.Sprintf("%d is outside 0..100 (0: no cash rounding; 5: to 0.05)", r))
	}
}

// validateLocale checks that locale is a BCP 47 tag in a supported language.
func (c *Config) validateLocale(ps *configProblems) {
	if c.Locale == "" {
		ps.add("locale", "required: a BCP 47 language tag such as it-IT")
		return
	}
	tag, err := language.Parse(c.Locale)
	if err != nil {
		ps.add("locale", fmt.Sprintf("%q is not a BCP 47 language tag (such as it-IT or fi-FI)", c.Locale))
		return
	}
	base, _ := tag.Base()
	for _, l := range configLanguages {
		if base.String() == l {
			return
		}
	}
	ps.add("locale", fmt.Sprintf("language %q of %q is not one of %s", base, c.Locale, strings.Join(configLanguages, ", ")))
}

// validateCurrency checks that currency is an ISO 4217 List One code with a minor unit.
func (c *Config) validateCurrency(ps *configProblems) {
	cur := c.Currency
	if cur == "" {
		ps.add("currency", "required: an ISO 4217 code such as EUR")
		return
	}
	iso, ok := scanner.LookupCurrency(cur)
	if !ok {
		if up, found := scanner.LookupCurrency(strings.ToUpper(cur)); found {
			ps.add("currency", fmt.Sprintf("%q must be written %s", cur, up.Alpha))
			return
		}
		ps.add("currency", fmt.Sprintf("%q is not an ISO 4217 currency code in use (List One, such as EUR)", cur))
		return
	}
	switch {
	case cur == "XXX":
		ps.add("currency", `"XXX" means no currency; name the store's currency, such as EUR`)
	case iso.Exponent < 0:
		ps.add("currency", fmt.Sprintf("%q has no minor unit in ISO 4217 (a metal or a fund unit); name the store's currency, such as EUR", cur))
	}
}

// validateLog checks log.format and log.level.
func (c *Config) validateLog(ps *configProblems) {
	configOneOf(ps, "log.format", c.Log.Format, "json", "text")
	configOneOf(ps, "log.level", c.Log.Level, "debug", "info", "warn", "error")
}

// validateCustomers checks the customer cache and lookup durations.
func (c *Config) validateCustomers(ps *configProblems) {
	if c.Customers.CacheTTL <= 0 {
		ps.add("customers.cache_ttl", fmt.Sprintf("%s must be more than 0", c.Customers.CacheTTL))
	}
	switch t := c.Customers.LookupTimeout; {
	case t <= 0:
		ps.add("customers.lookup_timeout", fmt.Sprintf("%s must be more than 0", t))
	case t.Std() > 30*time.Second:
		ps.add("customers.lookup_timeout", fmt.Sprintf("%s is more than 30s; a POS waits this long for an answer", t))
	}
}

// configOneOf reports a value that is not one of allowed.
func configOneOf(ps *configProblems, path, value string, allowed ...string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	ps.add(path, fmt.Sprintf("%q is not one of %s", value, strings.Join(allowed, ", ")))
	return false
}
