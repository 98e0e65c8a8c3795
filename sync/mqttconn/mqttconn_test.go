package mqttconn

import (
	"io"
	"net"
	"net/url"
	"testing"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

func TestUse_Schemes(t *testing.T) {
	for _, c := range []struct {
		broker string
		want   bool
	}{{"tcp://127.0.0.1:1883", true}, {"mqtt://h:1883", true}, {"ssl://h:8883", true}, {"tls://h:8883", true},
		{"ws://h:80/mqtt", true}, {"wss://h:443/mqtt", true}, {"unix:///run/mqtt.sock", false}} {
		o := Use(mqtt.NewClientOptions().AddBroker(c.broker))
		if got := o.CustomOpenConnectionFn != nil; got != c.want {
			t.Errorf("%s: buffered dialer = %v, want %v", c.broker, got, c.want)
		}
	}
	t.Setenv("all_proxy", "socks5://proxy:1080")
	if o := Use(mqtt.NewClientOptions().AddBroker("tcp://h:1883")); o.CustomOpenConnectionFn != nil {
		t.Error("with $all_proxy set, paho's own (proxying) dialer must stay")
	}
}

// TestDial_ReadsWhatWasSent reads a stream of small packets through the buffered connection in
// the pieces paho asks for (one byte, then the rest) and gets every byte in order.
func TestDial_ReadsWhatWasSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var sent []byte
	for i := 0; i < 5000; i++ {
		sent = append(sent, 0x40, 0x02, byte(i>>8), byte(i)) // PUBACK packets
	}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write(sent)
		io.Copy(io.Discard, c)
	}()
	conn, err := Dial(&url.URL{Scheme: "tcp", Host: l.Addr().String()}, *mqtt.NewClientOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte{0xc0, 0x00}); err != nil { // writes go straight through
		t.Fatal(err)
	}
	got := make([]byte, 0, len(sent))
	one, rest := make([]byte, 1), make([]byte, 3)
	for len(got) < len(sent) {
		if _, err := io.ReadFull(conn, one); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(conn, rest); err != nil {
			t.Fatal(err)
		}
		got = append(append(got, one...), rest...)
	}
	if string(got) != string(sent) {
		t.Fatal("bytes read differ from bytes sent")
	}
}
