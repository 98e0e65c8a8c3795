package agent

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/storeagent/storeagent/pos"
)

//go:embed demodata/catalog.json
var demoCatalogJSON []byte

// DemoCatalog is the demo's sample catalogue: Italian, French and Finnish products in EUR with
// accented names, several VAT rates, items sold by weight, and some out of stock.
func DemoCatalog() ([]pos.CatalogItem, map[string]int64, error) {
	var c struct {
		Items []pos.CatalogItem `json:"items"`
		Stock map[string]int64  `json:"stock"`
	}
	if err := json.Unmarshal(demoCatalogJSON, &c); err != nil {
		return nil, nil, fmt.Errorf("demo catalogue: %w", err)
	}
	return c.Items, c.Stock, nil
}

// DemoCatalogJSON is the demo catalogue as central's simulator reads it.
func DemoCatalogJSON() []byte { return demoCatalogJSON }

// DemoConfig is the zero-set-up configuration of `storeagent demo`: one store in Milan, one lane
// with a fresh random token, data in dataDir, HTTP on listen, and, when scannerPath is set, a
// serial scanner there (the demo's virtual scanner) owned by the lane.
func DemoConfig(dataDir, listen, scannerPath, brokerURL string) (*Config, error) {
	c := DefaultConfig()
	c.StoreID = "it-mi-001"
	c.DataDir = dataDir
	c.Locale = "it-IT"
	c.Currency = "EUR"
	c.Store = StoreInfo{Name: "Bottega Centrale (demo)", Address: "Via Roma 1, 20121 Milano", VATID: "IT01234567890", Timezone: "Europe/Rome"}
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

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
