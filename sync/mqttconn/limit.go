package mqttconn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
)

// MaxPacket is the largest MQTT packet a connection reads by default: the contract's 1 MiB event
// plus room for the topic and headers.
const MaxPacket = 1<<20 + 64<<10

// ErrPacketTooLarge is returned by a connection's Read for an oversized packet it cannot skip.
var ErrPacketTooLarge = errors.New("mqtt packet too large")

// packetReader hands paho whole MQTT packets from r, checking each packet's remaining length in
// its fixed header before reading the body. An oversized QoS 0 or 1 PUBLISH is skipped without
// being buffered (the QoS 1 one acked with a PUBACK written here, so the broker does not redeliver
// it on every connect) and reported to onDrop; any other oversized packet fails the read, which
// closes the connection.
type packetReader struct {
	r      *bufio.Reader
	conn   net.Conn
	max    int
	onDrop func(topic string, size int)
	left   int // bytes of the current packet not yet handed to paho
}

func (p *packetReader) Read(b []byte) (int, error) {
	for p.left == 0 {
		hdr, size, err := p.peekHeader()
		if err != nil {
			return 0, err
		}
		if size <= p.max {
			p.left = hdr + size
			break
		}
		if err := p.skip(hdr, size); err != nil {
			return 0, err
		}
	}
	if len(b) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= n
	return n, err
}

// peekHeader returns the fixed header's length and the packet's remaining length without
// consuming anything.
func (p *packetReader) peekHeader() (hdr, size int, err error) {
	mult := 1
	for i := 1; i <= 4; i++ {
		h, err := p.r.Peek(i + 1)
		if err != nil {
			return 0, 0, err
		}
		c := h[i]
		size += int(c&0x7f) * mult
		if c&0x80 == 0 {
			return i + 1, size, nil
		}
		mult *= 128
	}
	return 0, 0, fmt.Errorf("mqttconn: malformed remaining length")
}

// skip discards an oversized packet whose fixed header is hdr bytes long.
func (p *packetReader) skip(hdr, size int) error {
	h, err := p.r.Peek(hdr + 2)
	if err != nil {
		return err
	}
	typ, qos := h[0]>>4, (h[0]>>1)&3
	tl := int(binary.BigEndian.Uint16(h[hdr:]))
	if typ != 3 || qos > 1 || hdr+2+tl+2 > p.r.Size() || 2+tl+2 > size {
		return fmt.Errorf("%w: type %d of %d bytes, at most %d", ErrPacketTooLarge, typ, size, p.max)
	}
	v, err := p.r.Peek(hdr + 2 + tl + 2)
	if err != nil {
		return err
	}
	topic := string(v[hdr+2 : hdr+2+tl])
	id := [2]byte{v[hdr+2+tl], v[hdr+2+tl+1]}
	if _, err := p.r.Discard(hdr + size); err != nil {
		return err
	}
	if qos == 1 {
		if _, err := p.conn.Write([]byte{0x40, 0x02, id[0], id[1]}); err != nil {
			return err
		}
	}
	if p.onDrop != nil {
		p.onDrop(topic, size)
	}
	return nil
}
