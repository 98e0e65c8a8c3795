package agent

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/storeagent/storeagent/pos"
)

//go:embed demodata/store_*.json
var demoFS embed.FS

// DemoStore is one country's demo store: its identity, a catalogue with that country's own VAT
// rates and products, starting stock, loyalty customers and two click-and-collect orders.
type DemoStore struct {
	// Country is the store's lower-case ISO 3166 code: it, fr or fi.
	Country string    `json:"-"`
	StoreID string    `json:"store_id"`
	Locale  string    `json:"locale"`
	Store   StoreInfo `json:"-"`
	// StoreJSON is how the embedded file spells Store.
	StoreJSON struct {
		Name     string `json:"name"`
		Address  string `json:"address"`
		VATID    string `json:"vat_id"`
		Timezone string `json:"timezone"`
	} `json:"store"`
	// Items is the catalogue central's simulator sends; Stock the starting on-hand counts by SKU.
	Items []pos.CatalogItem `json:"items"`
	Stock map[string]int64  `json:"stock"`
	// Customers are the loyalty ids central knows.
	Customers []DemoCustomer `json:"customers"`
	// Orders are click-and-collect orders central sends at start.
	Orders []DemoOrder `json:"orders"`
	// Weighed is a product sold by weight for the banner's sample sale.
	Weighed struct {
		SKU     string `json:"sku"`
		WeightG int64  `json:"weight_g"`
	} `json:"weighed"`
}

// DemoCustomer is a loyalty customer of the demo's central.
type DemoCustomer struct {
	CustomerID string `json:"customer_id"`
	Name       string `json:"name"`
	Tier       string `json:"tier"`
	Points     int64  `json:"points"`
}

// DemoOrder is a click-and-collect order of the demo; its lines are priced from the catalogue.
type DemoOrder struct {
	OrderRef     string `json:"order_ref"`
	CustomerName string `json:"customer_name"`
	Paid         bool   `json:"paid"`
	Hours        int    `json:"hours"`
	Lines        []struct {
		SKU string `json:"sku"`
		Qty int64  `json:"qty"`
	} `json:"lines"`
}

// DemoCountries lists the countries `storeagent demo -country` knows, sorted.
func DemoCountries() []string {
	ents, _ := demoFS.ReadDir("demodata")
	var out []string
	for _, e := range ents {
		var c string
		if _, err := fmt.Sscanf(e.Name(), "store_%2s.json", &c); err == nil {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// DemoStoreFor returns the demo store of country (it, fr or fi).
func DemoStoreFor(country string) (*DemoStore, error) {
	b, err := demoFS.ReadFile("demodata/store_" + country + ".json")
	if err != nil {
		return nil, fmt.Errorf("demo country %q: not one of %v", country, DemoCountries())
	}
	s := &DemoStore{Country: country}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("demo store %s: %w", country, err)
	}
	j := s.StoreJSON
	s.Store = StoreInfo{Name: j.Name, Address: j.Address, VATID: j.VATID, Timezone: j.Timezone}
	return s, nil
}

// DemoCatalog is the Italian demo store's catalogue and stock: accented names, the four Italian VAT
// rates, items sold by weight, and some out of stock.
func DemoCatalog() ([]pos.CatalogItem, map[string]int64, error) {
	s, err := DemoStoreFor("it")
	if err != nil {
		return nil, nil, err
	}
	return s.Items, s.Stock, nil
}

// Item returns the catalogue item with sku, or false.
func (s *DemoStore) Item(sku string) (pos.CatalogItem, bool) {
	for _, it := range s.Items {
		if it.SKU == sku {
			return it, true
		}
	}
	return pos.CatalogItem{}, false
}

// DemoConfig is the zero-set-up configuration of `storeagent demo` for store s: one lane with a
// fresh random token, data in dataDir, HTTP on listen, and, when scannerPath is set, a serial
// scanner there (the demo's virtual scanner) owned by the lane.
func DemoConfig(s *DemoStore, dataDir, listen, scannerPath, brokerURL string) (*Config, error) {
	c := DefaultConfig()
	c.StoreID = s.StoreID
	c.DataDir = dataDir
	c.Locale = s.Locale
	c.Currency = "EUR"
	c.Store = s.Store
	c.HTTP.Listen = listen
	c.MQTT.Broker = brokerURL
	c.Links.AisleBase = "http://" + listen
	c.Links.WebshopProduct = "https://shop.example/p/{gtin}"
	c.Links.Receipt = "https://shop.example/r/{sale_id}"
	c.Terminals = []Terminal{{ID: "lane1", Token: randomToken(), Printer: "lane1-printer"}}
	// The demo's printer is virtual (receipts become PNGs); the device entry names its model.
	c.Devices = []Device{{Name: "lane1-printer", Type: "printer", Transport: "tcp", Path: "127.0.0.1:9100", Profile: "epson-tm-t20"}}
	if scannerPath != "" {
		c.Devices = append(c.Devices, Device{Name: "lane1-scanner", Type: "scanner", Transport: "serial", Path: scannerPath})
		c.Terminals[0].Scanners = []string{"lane1-scanner"}
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	return &c, nil
}

// DemoRT makes c an Italian fiscal store whose RT is the fpmate endpoint at url (the demo runs
// the emulator): departments for the demo catalogue's VAT rates, cash and card payments.
func DemoRT(c *Config, url string) error {
	c.Fiscal = FiscalConfig{Country: "IT", Printer: FiscalPrinterConfig{Driver: "epson-fpmate", URL: url,
		Departments: map[int64]int64{2200: 1, 1000: 2, 400: 3, 500: 4, 0: 13},
		Payments:    map[string][]int64{"cash": {0, 0}, "card": {2, 1}, "voucher": {3, 1}, "prepaid": {2, 1}, "other": {2, 1}}}}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
