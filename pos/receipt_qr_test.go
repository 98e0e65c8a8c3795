package pos

import (
	"strings"
	"testing"
)

// FuzzReceiptQRSaleID: whatever is scanned, the receipt link matcher never panics, and what it
// accepts is the template filled with a UUID (the prefix compared without case), under 512 bytes.
func FuzzReceiptQRSaleID(f *testing.F) {
	const tmpl = "https://shop.example/r/{sale_id}?s=1"
	for _, s := range []string{"https://shop.example/r/0b9f3a52-6c1d-4e8f-9a7b-2c3d4e5f6a7b?s=1", "HTTPS://SHOP.EXAMPLE/r/0b9f3a52-6c1d-4e8f-9a7b-2c3d4e5f6a7b?s=1",
		"https://shop.example/r/?s=1", "https://shop.example/r/{0b9f3a52-6c1d-4e8f-9a7b-2c3d4e5f6a7b}?s=1", "8001234567903", "", "https://shop.example/r/urn:uuid:0b9f3a52-6c1d-4e8f-9a7b-2c3d4e5f6a7b?s=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		id, err := receiptQRSaleID(tmpl, data)
		if err != nil {
			if id != "" {
				t.Fatalf("%q: error %v with id %q", data, err, id)
			}
			return
		}
		want := strings.ReplaceAll(tmpl, "{sale_id}", id)
		if len(id) != 36 || !strings.EqualFold(want, strings.TrimSpace(data)) || len(data) > maxQRData {
			t.Fatalf("%q accepted as sale %q", data, id)
		}
	})
}

func TestReceiptQRSaleID(t *testing.T) {
	const id = "0b9f3a52-6c1d-4e8f-9a7b-2c3d4e5f6a7b"
	for _, c := range []struct {
		tmpl, data, want string
	}{
		{"https://shop.example/r/{sale_id}", "https://shop.example/r/" + id, id},
		{"https://shop.example/r/{sale_id}", " HTTPS://Shop.Example/r/" + id + "\r\n", id},
		{"https://shop.example/r/{sale_id}", "https://other.example/r/" + id, ""},
		{"https://shop.example/r/{sale_id}", "https://shop.example/r/" + id + "x", ""},
		{"https://shop.example/r/{sale_id}", "https://shop.example/r/" + strings.ToUpper(id[:8]) + id[8:], strings.ToUpper(id[:8]) + id[8:]},
		{"", "https://shop.example/r/" + id, ""},
	} {
		got, err := receiptQRSaleID(c.tmpl, c.data)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("%q with %q: %q %v, want %q", c.data, c.tmpl, got, err, c.want)
		}
	}
}
