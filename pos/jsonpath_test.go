package pos

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestJSONPathAt(t *testing.T) {
	type line struct {
		Code string `json:"code"`
		Qty  *int64 `json:"qty"`
	}
	type body struct {
		SaleID string `json:"sale_id"`
		Lines  []line `json:"lines"`
		Pay    []struct {
			Amount int64 `json:"amount_minor"`
		} `json:"payments"`
	}
	tests := []struct{ in, want string }{
		{`{"sale_id":"x","lines":[{"code":"a","qty":1},{"code":"b"},{"code":"c","qty":"2"}]}`, "lines[2].qty"},
		{`{"lines":[{"code":"a","qty":{"n":1}}]}`, "lines[0].qty"},
		{`{"sale_id":7}`, "sale_id"},
		{`{"lines":[],"payments":[{"amount_minor":1},{"amount_minor":"x"}]}`, "payments[1].amount_minor"},
		{`{"lines":"none"}`, "lines"},
	}
	for _, tt := range tests {
		var b body
		err := json.Unmarshal([]byte(tt.in), &b)
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			t.Fatalf("%s: want a type error, got %v", tt.in, err)
		}
		if got := jsonPathAt([]byte(tt.in), te.Offset); got != tt.want {
			t.Errorf("jsonPathAt(%s, %d) = %q; want %q", tt.in, te.Offset, got, tt.want)
		}
	}
}
