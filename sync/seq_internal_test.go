package sync

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/storeagent/storeagent/sync/db"
)

// fakeMessage is an MQTT delivery for storeBatch.
type fakeMessage struct {
	topic   string
	payload []byte
}

func (m fakeMessage) Duplicate() bool   { return false }
func (m fakeMessage) Qos() byte         { return 1 }
func (m fakeMessage) Retained() bool    { return false }
func (m fakeMessage) Topic() string     { return m.topic }
func (m fakeMessage) MessageID() uint16 { return 1 }
func (m fakeMessage) Payload() []byte   { return m.payload }
func (m fakeMessage) Ack()              {}

func centralEvent(id, typ string, seq int64, data string) []byte {
	env := ""
	if seq > 0 {
		env = fmt.Sprintf(`,"seq":%d,"epoch":"e1"`, seq)
	}
	return fmt.Appendf(nil, `{"specversion":"1.0","id":%q,"source":"/central","type":%q,"time":"2026-12-01T10:00:00Z","datacontenttype":"application/json"%s,"data":%s}`, id, typ, env, data)
}

// TestSyncer_RefusedEventsCountForGaps checks that an empty catalogue delta is applied, and that an
// event refused for its data still counts its seq, so the gap after it is noticed and the gap it
// would otherwise fake is not.
func TestSyncer_RefusedEventsCountForGaps(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s, err := New(d, Options{StoreID: "it-gap-001", Broker: "tcp://127.0.0.1:1", TimerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	item := `{"sku":"A","gtins":[],"name":"A","price_minor":100,"currency":"EUR","tax_rate_bp":2200,"unit":"each","active":true,"version":1}`
	stockAdj := `{"movement_id":"m%d","sku":"A","delta":1,"occurred_at":"2026-12-01T10:00:00Z"}`
	msgs := []struct{ topic, payload string }{
		{"catalog", string(centralEvent("c1", TypeCatalogDelta, 0, `{"seq":1,"items":[`+item+`]}`))},
		{"catalog", string(centralEvent("c2", TypeCatalogDelta, 0, `{"seq":2,"items":[]}`))},                           // empty: valid
		{"catalog", string(centralEvent("c3", TypeCatalogDelta, 0, `{"seq":3,"items":[{"sku":"","version":1}]}`))},     // refused item
		{"catalog", string(centralEvent("c4", TypeCatalogDelta, 0, `{"seq":4,"items":[`+item+`]}`))},                   // no gap before it
		{"stock", string(centralEvent("s1", TypeStockAdjustment, 1, fmt.Sprintf(stockAdj, 1)))},                        //
		{"stock", string(centralEvent("s2", TypeStockAdjustment, 2, `{"movement_id":"m2","sku":"A","delta":"lots"}`))}, // refused data, valid seq
		{"stock", string(centralEvent("s3", TypeStockAdjustment, 3, fmt.Sprintf(stockAdj, 3)))},                        // no gap before it
		{"stock", string(centralEvent("s5", TypeStockAdjustment, 5, `{"movement_id":"","sku":"A","delta":1}`))},        // refused; reveals 4 missing
	}
	var batch []mqtt.Message
	for _, m := range msgs {
		batch = append(batch, fakeMessage{topic: s.opts.base() + m.topic, payload: []byte(m.payload)})
	}
	if err := s.storeBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for {
		n, err := s.ApplyPending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	gap := func(topic string) int64 {
		var v sql.NullInt64
		err := d.R.QueryRow(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1`, "sync_gap:"+topic).Scan(&v)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		return v.Int64
	}
	if g := gap("catalog"); g != 0 {
		t.Errorf("catalog gap from seq %d; want none (the empty delta 2 and refused delta 3 count)", g)
	}
	if g := gap("stock"); g != 4 {
		t.Errorf("stock gap from seq %d; want 4 (the refused event 5 reveals it; refused 2 hides nothing)", g)
	}
	var last int64
	d.R.QueryRow(`SELECT last_seq FROM inbox_seq WHERE topic = 'catalog'`).Scan(&last)
	if last != 4 {
		t.Errorf("catalog last seq %d; want 4", last)
	}
	var dead int64
	d.R.QueryRow(`SELECT count(*) FROM dead_letters`).Scan(&dead)
	if dead != 3 {
		t.Errorf("%d dead letters; want 3 (c3, s2, s5)", dead)
	}
}
