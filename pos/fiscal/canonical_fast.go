package fiscal

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// canonicalMarshalled is CanonicalBytes for the output of json.Marshal (valid, compact JSON
// whose strings carry no raw control characters, invalid UTF-8, <, >, & or U+2028/9: those are
// escaped, with a backslash). It copies what is already canonical — numbers as written, literals,
// strings without a backslash — sorts object members by key and re-encodes only the strings
// holding escapes, as CanonicalBytes does, instead of decoding the whole document into a generic
// tree. ok false (a duplicate key, or anything unexpected) leaves the document to CanonicalBytes.
// FuzzCanonicalMarshalled checks it gives CanonicalBytes' bytes.
func canonicalMarshalled(raw []byte) (out []byte, ok bool) {
	c := canonWriter{out: make([]byte, 0, len(raw)+16)}
	end, ok := c.value(raw, 0)
	if !ok || end != len(raw) {
		return nil, false
	}
	return c.out, true
}

type canonWriter struct {
	out []byte
	enc *json.Encoder
	buf bytes.Buffer
}

type member struct {
	key        []byte // the key's raw text between the quotes
	keyEscaped bool
	rawKey     []byte // with the quotes
	val        [2]int // the value's span in the input
}

// value writes the canonical form of the value at raw[i:] and returns where it ends.
func (c *canonWriter) value(raw []byte, i int) (int, bool) {
	if i >= len(raw) {
		return 0, false
	}
	switch raw[i] {
	case '{':
		return c.object(raw, i)
	case '[':
		c.out = append(c.out, '[')
		i++
		if i < len(raw) && raw[i] == ']' {
			c.out = append(c.out, ']')
			return i + 1, true
		}
		for {
			end, ok := c.value(raw, i)
			if !ok || end >= len(raw) {
				return 0, false
			}
			i = end
			if raw[i] == ']' {
				c.out = append(c.out, ']')
				return i + 1, true
			}
			if raw[i] != ',' {
				return 0, false
			}
			c.out = append(c.out, ',')
			i++
		}
	case '"':
		end, escaped, ok := stringEnd(raw, i)
		if !ok {
			return 0, false
		}
		if !escaped && plain(raw[i+1:end-1]) {
			c.out = append(c.out, raw[i:end]...)
			return end, true
		}
		return end, c.reencode(raw[i:end])
	default:
		end := i
		for end < len(raw) && raw[end] != ',' && raw[end] != ']' && raw[end] != '}' {
			end++
		}
		if end == i {
			return 0, false
		}
		c.out = append(c.out, raw[i:end]...) // a number as written, true, false or null
		return end, true
	}
}

// reencode writes a string holding escapes as CanonicalBytes does: decoded, then encoded again
// without HTML escaping.
func (c *canonWriter) reencode(quoted []byte) bool {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return false
	}
	if c.enc == nil {
		c.enc = json.NewEncoder(&c.buf)
		c.enc.SetEscapeHTML(false)
	}
	c.buf.Reset()
	if err := c.enc.Encode(s); err != nil {
		return false
	}
	c.out = append(c.out, bytes.TrimSuffix(c.buf.Bytes(), []byte("\n"))...)
	return true
}

func (c *canonWriter) object(raw []byte, i int) (int, bool) {
	i++ // {
	var ms []member
	if i < len(raw) && raw[i] == '}' {
		c.out = append(c.out, '{', '}')
		return i + 1, true
	}
	for {
		if i >= len(raw) || raw[i] != '"' {
			return 0, false
		}
		kend, escaped, ok := stringEnd(raw, i)
		if !ok || kend >= len(raw) || raw[kend] != ':' {
			return 0, false
		}
		if escaped || !plain(raw[i+1:kend-1]) {
			return 0, false // a key with escapes: sorted by its decoded text, left to CanonicalBytes
		}
		m := member{key: raw[i+1 : kend-1], rawKey: raw[i:kend]}
		vend, ok := skipValue(raw, kend+1)
		if !ok || vend >= len(raw) {
			return 0, false
		}
		m.val = [2]int{kend + 1, vend}
		ms = append(ms, m)
		i = vend
		if raw[i] == '}' {
			break
		}
		if raw[i] != ',' {
			return 0, false
		}
		i++
	}
	slices.SortFunc(ms, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	c.out = append(c.out, '{')
	for k, m := range ms {
		if k > 0 {
			if bytes.Equal(ms[k-1].key, m.key) {
				return 0, false // duplicate key: CanonicalBytes keeps the last
			}
			c.out = append(c.out, ',')
		}
		c.out = append(c.out, m.rawKey...)
		c.out = append(c.out, ':')
		end, ok := c.value(raw[:m.val[1]], m.val[0])
		if !ok || end != m.val[1] {
			return 0, false
		}
	}
	c.out = append(c.out, '}')
	return i + 1, true
}

// plain reports whether a string's raw text is what encoding/json writes for it unchanged: valid
// UTF-8 without control characters or U+2028/U+2029 (which it escapes).
func plain(b []byte) bool {
	ascii := true
	for _, x := range b {
		if x < 0x20 {
			return false
		}
		if x >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return true
	}
	return utf8.Valid(b) && !bytes.Contains(b, []byte{0xe2, 0x80, 0xa8}) && !bytes.Contains(b, []byte{0xe2, 0x80, 0xa9})
}

// stringEnd returns the index just after the string starting at raw[i] ('"'), and whether it
// holds a backslash.
func stringEnd(raw []byte, i int) (int, bool, bool) {
	escaped := false
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped, true
		}
	}
	return 0, false, false
}

// skipValue returns the index just after the value starting at raw[i].
func skipValue(raw []byte, i int) (int, bool) {
	depth := 0
	for j := i; j < len(raw); j++ {
		switch raw[j] {
		case '"':
			end, _, ok := stringEnd(raw, j)
			if !ok {
				return 0, false
			}
			j = end - 1
			if depth == 0 {
				return end, true
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j, j > i
			}
			depth--
			if depth == 0 {
				return j + 1, true
			}
		case ',':
			if depth == 0 {
				return j, j > i
			}
		}
	}
	if depth == 0 && len(raw) > i {
		return len(raw), true
	}
	return 0, false
}
