package pos

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// jsonPathAt returns the path, in the form lines[2].qty, of the JSON value that ends at or spans
// byte offset off of body: what encoding/json's UnmarshalTypeError.Field loses (it drops array
// indices and says lines.qty). It returns "" when body does not parse that far.
func jsonPathAt(body []byte, off int64) string {
	type frame struct {
		array   bool
		idx     int
		key     string
		keyNext bool
	}
	var stack []*frame
	done := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.array {
			f.idx++
		} else {
			f.keyNext = true
		}
	}
	path := func() string {
		var b strings.Builder
		for i, f := range stack {
			switch {
			case f.array:
				b.WriteString("[" + strconv.Itoa(f.idx) + "]")
			case i == 0:
				b.WriteString(f.key)
			default:
				b.WriteString("." + f.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].keyNext {
			if k, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].keyNext = k, false
				continue
			}
		}
		d, isDelim := tok.(json.Delim)
		if isDelim && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			done()
			continue
		}
		if dec.InputOffset() >= off {
			return path()
		}
		switch {
		case isDelim && d == '{':
			stack = append(stack, &frame{keyNext: true})
		case isDelim && d == '[':
			stack = append(stack, &frame{array: true})
		default:
			done()
		}
	}
}
