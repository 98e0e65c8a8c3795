package scanner

import (
	"net/url"
	"strings"
)

// dlShortName maps the convenience alphas of GS1 Digital Link 1.1
// (section 6.3, e.g. "/gtin/…") to AIs. Digital Link 1.2 deprecated them
// but older labels carry them; only the common ones are accepted.
func dlShortName(s string) (string, bool) {
	switch s {
	case "sscc":
		return "00", true
	case "gtin":
		return "01", true
	case "lot":
		return "10", true
	case "exp":
		return "17", true
	case "ser":
		return "21", true
	case "cpv":
		return "22", true
	case "gln":
		return "414", true
	case "gdti":
		return "253", true
	case "gcn":
		return "255", true
	case "giai":
		return "8004", true
	case "grai":
		return "8003", true
	case "gsrn":
		return "8018", true
	case "gsrnp":
		return "8017", true
	case "ginc":
		return "401", true
	case "gsin":
		return "402", true
	case "itip":
		return "8006", true
	case "cpid":
		return "8010", true
	case "gmn":
		return "8013", true
	}
	return "", false
}

// dlAI resolves a path segment or query key to an AI: digits naming a
// known AI, or a short name.
func dlAI(seg string) (string, aiEntry, bool) {
	ai := seg
	if !allDigits(seg) {
		var ok bool
		if ai, ok = dlShortName(seg); !ok {
			return "", aiEntry{}, false
		}
	}
	e, ok := aiTable()[ai]
	return ai, e, ok
}

// IsDigitalLink reports whether s looks like a GS1 Digital Link URI: http
// or https with a path segment naming a Digital Link primary key followed
// by a value. It does not validate the values; ParseDigitalLink does.
func IsDigitalLink(s string) bool {
	segs, ok := dlSegments(s)
	if !ok {
		return false
	}
	_, ok = dlKeyIndex(segs)
	return ok
}

// ParseDigitalLink extracts the GS1 elements of a Digital Link URI
// (GS1 Digital Link Standard: URI Syntax 1.2): the primary key and its key
// qualifiers from the path, in order, then the data attributes from the
// query string in their order. Segments before the primary key (a custom
// path prefix) and query parameters that are not AIs (linkType, …) are
// ignored. Values are percent-decoded; a GTIN given with 8, 12 or 13
// digits is padded to 14. The result is validated with the same rules as
// ParseGS1.
func ParseDigitalLink(uri string) ([]AIValue, error) {
	segs, ok := dlSegments(uri)
	if !ok {
		return nil, gs1Errorf("", "not an http(s) Digital Link URI")
	}
	start, ok := dlKeyIndex(segs)
	if !ok {
		return nil, gs1Errorf("", "no Digital Link primary key in the path")
	}
	var out []AIValue
	keyAI, keyEntry, _ := dlAI(segs[start])
	qualifiers := keyEntry.dlQualifiers
	var used []string
	seen := map[string]bool{}
	once := func(ai string) error {
		if seen[ai] {
			return gs1Errorf(ai, "appears more than once in the Digital Link URI")
		}
		seen[ai] = true
		return nil
	}
	for i := start; i < len(segs); i += 2 {
		ai, _, ok := dlAI(segs[i])
		if !ok {
			return out, gs1Errorf("", "path segment %q is not an AI", clip(segs[i], 12))
		}
		v, err := url.PathUnescape(segs[i+1])
		if err != nil {
			return out, gs1Errorf(ai, "bad percent-encoding in %q", clip(segs[i+1], 40))
		}
		if err := once(ai); err != nil {
			return out, err
		}
		if i > start {
			used = append(used, ai)
			if !qualifierOrderOK(qualifiers, used) {
				return out, gs1Errorf(ai, "not a key qualifier of (%s) in this order", keyAI)
			}
		}
		out = append(out, AIValue{AI: ai, Value: dlPadGTIN(ai, v)})
	}
	u, _ := url.Parse(uri)
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		ai, e, ok := dlAI(k)
		if !ok {
			if allDigits(k) {
				return out, gs1Errorf("", "query parameter %q is not a known AI", clip(k, 8))
			}
			continue // linkType, context and other non-AI parameters
		}
		if !e.dlAttr {
			return out, gs1Errorf(ai, "not allowed as a Digital Link query attribute")
		}
		if dlIsQualifier(qualifiers, ai) {
			return out, gs1Errorf(ai, "a key qualifier of (%s) belongs in the path, not the query", keyAI)
		}
		if err := once(ai); err != nil {
			return out, err
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return out, gs1Errorf(ai, "bad percent-encoding in %q", clip(v, 40))
		}
		out = append(out, AIValue{AI: ai, Value: dlPadGTIN(ai, v)})
	}
	return out, validateElements(out)
}

// dlSegments returns the non-empty, still escaped path segments of an
// http(s) URI.
func dlSegments(s string) ([]string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	p := u.EscapedPath()
	if strings.HasSuffix(p, "/") {
		return nil, false // a Digital Link path does not end in "/"
	}
	var segs []string
	for i, seg := range strings.Split(p, "/") {
		switch {
		case seg != "":
			segs = append(segs, seg)
		case i > 0:
			return nil, false // an empty segment ("//") is no Digital Link path
		}
	}
	return segs, true
}

// dlKeyIndex finds the rightmost segment naming a primary key such that
// the segments from it on pair up as AI/value (as the GS1 Barcode Syntax
// Engine does: "/00/faux/00/…" uses the second 00).
func dlKeyIndex(segs []string) (int, bool) {
	for i := len(segs) - 2; i >= 0; i -= 2 {
		if _, e, ok := dlAI(segs[i]); ok && e.dlPKey {
			return i, true
		}
	}
	return 0, false
}

// qualifierOrderOK reports whether used is an ordered subsequence of one of
// the allowed qualifier sequences.
func qualifierOrderOK(alternatives [][]string, used []string) bool {
	for _, seq := range alternatives {
		j := 0
		for _, q := range seq {
			if j < len(used) && used[j] == q {
				j++
			}
		}
		if j == len(used) {
			return true
		}
	}
	return false
}

// dlPadGTIN pads a GTIN-8, -12 or -13 given as AI (01) to 14 digits, in the path and the query
// alike; other values are returned as they are.
func dlPadGTIN(ai, v string) string {
	if ai == "01" && allDigits(v) && (len(v) == 8 || len(v) == 12 || len(v) == 13) {
		return strings.Repeat("0", 14-len(v)) + v
	}
	return v
}

// dlIsQualifier reports whether ai is one of the primary key's qualifiers, which Digital Link
// places in the path only.
func dlIsQualifier(alternatives [][]string, ai string) bool {
	for _, seq := range alternatives {
		for _, q := range seq {
			if q == ai {
				return true
			}
		}
	}
	return false
}
