package caisseap

import (
	"errors"
	"fmt"
	"strconv"
)

// Field is one TLV field: a two-character tag and its value.
type Field struct {
	Tag   string
	Value string
}

// Message is the fields of one request or answer in wire order.
type Message []Field

// Get returns the value of the first field with tag and whether there is one.
func (m Message) Get(tag string) (string, bool) {
	for _, f := range m {
		if f.Tag == tag {
			return f.Value, true
		}
	}
	return "", false
}

// Limits of the framing: TAG(2) + LEN(3 decimal digits) + VALUE.
const (
	headerLen   = 5
	maxValueLen = 999
	// MaxAnswer bounds the bytes read for one answer: a real answer is a few hundred bytes (about
	// fifteen fields); anything longer is not a Caisse-AP answer.
	MaxAnswer = 8 << 10
	// maxFields bounds the fields of one message.
	maxFields = 64
)

// ErrIncomplete means the bytes end inside a field: more may come.
var ErrIncomplete = errors.New("caisse-ap: message ends inside a field")

// Encode writes m in wire order. Each tag must be two characters of A-Z/0-9 and each value 1 to
// 999 printable ASCII characters; CZ must come first.
func Encode(m Message) ([]byte, error) {
	if len(m) == 0 || m[0].Tag != "CZ" {
		return nil, errors.New("caisse-ap: CZ must be the first field")
	}
	var b []byte
	for _, f := range m {
		if !validTag(f.Tag) {
			return nil, fmt.Errorf("caisse-ap: bad tag %q", f.Tag)
		}
		if len(f.Value) < 1 || len(f.Value) > maxValueLen {
			return nil, fmt.Errorf("caisse-ap: field %s: value of %d bytes (want 1..%d)", f.Tag, len(f.Value), maxValueLen)
		}
		for i := 0; i < len(f.Value); i++ {
			if c := f.Value[i]; c < 0x20 || c > 0x7e {
				return nil, fmt.Errorf("caisse-ap: field %s: byte %#x is not printable ASCII", f.Tag, c)
			}
		}
		b = append(b, f.Tag...)
		b = append(b, fmt.Sprintf("%03d", len(f.Value))...)
		b = append(b, f.Value...)
	}
	return b, nil
}

// Decode parses b as whole fields. It returns ErrIncomplete when b ends inside a field (read
// more), and another error when b cannot be Caisse-AP (a bad tag or length, CZ not first, too
// many fields). An empty value (length 000) is accepted in answers: a terminal sends an empty CB
// after a red-button cancel.
func Decode(b []byte) (Message, error) {
	var m Message
	for i := 0; i < len(b); {
		if len(m) == maxFields {
			return nil, fmt.Errorf("caisse-ap: more than %d fields", maxFields)
		}
		if len(b)-i < headerLen {
			if !validPrefix(b[i:]) {
				return nil, fmt.Errorf("caisse-ap: bad field header %q at byte %d", b[i:], i)
			}
			return m, ErrIncomplete
		}
		tag := string(b[i : i+2])
		if !validTag(tag) {
			return nil, fmt.Errorf("caisse-ap: bad tag %q at byte %d", tag, i)
		}
		if len(m) == 0 && tag != "CZ" {
			return nil, fmt.Errorf("caisse-ap: first field is %s, want CZ", tag)
		}
		n, ok := digits(b[i+2 : i+5])
		if !ok {
			return nil, fmt.Errorf("caisse-ap: field %s: bad length %q", tag, b[i+2:i+5])
		}
		if len(b)-i-headerLen < n {
			return m, ErrIncomplete
		}
		v := b[i+headerLen : i+headerLen+n]
		for _, c := range v {
			if c < 0x20 || c > 0x7e {
				return nil, fmt.Errorf("caisse-ap: field %s: byte %#x is not printable ASCII", tag, c)
			}
		}
		m = append(m, Field{Tag: tag, Value: string(v)})
		i += headerLen + n
	}
	return m, nil
}

func validTag(t string) bool {
	return len(t) == 2 && tagByte(t[0]) && tagByte(t[1])
}

func tagByte(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// validPrefix reports whether p (shorter than a header) can begin a field header.
func validPrefix(p []byte) bool {
	for i, c := range p {
		if i < 2 && !tagByte(c) || i >= 2 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func digits(p []byte) (int, bool) {
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(p))
	return n, err == nil
}
