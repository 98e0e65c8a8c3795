package fpmate

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Response is the printer's answer: <response success code status><addInfo>…</addInfo></response>,
// inside a SOAP Body or bare.
type Response struct {
	Success bool
	Code    string
	// Status is the status attribute as a number; StatusText is it as sent (samples show "x").
	Status     int
	StatusText string
	// Info holds addInfo's children by name (elementList, printerStatus, fiscalReceiptNumber,
	// responseData, …), each trimmed of surrounding space.
	Info map[string]string
}

// Bounds of what ParseResponse accepts.
const (
	maxInfoFields = 64
	maxFieldLen   = 4096
	maxDepth      = 8
)

// ParseResponse parses a response body strictly: well-formed XML, one <response> (in
// Envelope/Body or as the root) with success "true" or "false", at most 64 addInfo fields of
// at most 4 KiB text each, nothing nested deeper than the envelope needs. It never panics.
func ParseResponse(b []byte) (Response, error) {
	if len(b) > MaxResponse {
		return Response{}, fmt.Errorf("response of %d bytes is over %d", len(b), MaxResponse)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = charsetReader
	var (
		stack          []string
		r              Response
		seen           bool // a response element was read
		inResp, inInfo bool
		field          string
		text           strings.Builder
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Response{}, fmt.Errorf("response XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(stack) >= maxDepth {
				return Response{}, errors.New("response XML nested too deep")
			}
			switch {
			case inInfo && field == "":
				field = name
				text.Reset()
			case inInfo:
				return Response{}, fmt.Errorf("addInfo field %q holds element %q", field, name)
			case inResp && name == "addInfo":
				if r.Info != nil {
					return Response{}, errors.New("two addInfo elements")
				}
				inInfo = true
				r.Info = map[string]string{}
			case inResp:
				return Response{}, fmt.Errorf("unexpected element %q in response", name)
			case name == "response":
				if seen {
					return Response{}, errors.New("two response elements")
				}
				if !(len(stack) == 0 || (len(stack) == 2 && stack[0] == "Envelope" && stack[1] == "Body")) {
					return Response{}, fmt.Errorf("response inside %s", strings.Join(stack, "/"))
				}
				seen, inResp = true, true
				if err := r.attrs(t.Attr); err != nil {
					return Response{}, err
				}
			case len(stack) == 0 && name == "Envelope", len(stack) == 1 && stack[0] == "Envelope" && name == "Body":
			case len(stack) == 1 && stack[0] == "Envelope" && name == "Header":
				// a SOAP header is allowed and ignored, but nothing may nest in it
			default:
				if len(stack) >= 1 && stack[len(stack)-1] == "Header" {
					return Response{}, errors.New("elements inside the SOAP Header")
				}
				return Response{}, fmt.Errorf("unexpected element %q", name)
			}
			stack = append(stack, name)
		case xml.EndElement:
			if len(stack) == 0 {
				return Response{}, errors.New("unbalanced XML")
			}
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch {
			case inInfo && field != "" && name == field:
				if len(r.Info) >= maxInfoFields {
					return Response{}, fmt.Errorf("more than %d addInfo fields", maxInfoFields)
				}
				if _, dup := r.Info[field]; dup {
					return Response{}, fmt.Errorf("addInfo field %q twice", field)
				}
				r.Info[field] = strings.TrimSpace(text.String())
				field = ""
			case inInfo && name == "addInfo":
				inInfo = false
			case inResp && name == "response":
				inResp = false
			}
		case xml.CharData:
			if field != "" {
				if text.Len()+len(t) > maxFieldLen {
					return Response{}, fmt.Errorf("addInfo field %q is over %d bytes", field, maxFieldLen)
				}
				text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return Response{}, errors.New("text outside the addInfo fields")
			}
		case xml.Directive:
			return Response{}, errors.New("XML directives are not accepted")
		}
	}
	if !seen {
		return Response{}, errors.New("no response element")
	}
	if len(stack) != 0 || inResp {
		return Response{}, errors.New("response XML ends early")
	}
	return r, nil
}

func (r *Response) attrs(as []xml.Attr) error {
	var ok bool
	for _, a := range as {
		switch a.Name.Local {
		case "success":
			switch a.Value {
			case "true":
				r.Success, ok = true, true
			case "false":
				r.Success, ok = false, true
			default:
				return fmt.Errorf("response success=%q is neither true nor false", a.Value)
			}
		case "code":
			if len(a.Value) > 64 {
				return errors.New("response code is over 64 bytes")
			}
			r.Code = a.Value
		case "status":
			if len(a.Value) > 16 {
				return errors.New("response status is over 16 bytes")
			}
			r.StatusText = a.Value
			if n, err := strconv.Atoi(a.Value); err == nil && n >= 0 {
				r.Status = n
			}
		}
	}
	if !ok {
		return errors.New("response has no success attribute")
	}
	return nil
}

// charsetReader accepts the single-byte encodings a printer might declare besides UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "latin1", "iso8859-1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	case "us-ascii", "ascii":
		return in, nil
	}
	return nil, fmt.Errorf("response encoding %q is not supported", label)
}
