package scanner

import (
	"fmt"
	"strings"
)

// gs is the ASCII group separator a reader transmits for FNC1 between
// variable-length GS1 elements (GS1 General Specifications, 7.8.5.2).
const gs = '\x1d'

// AIValue is one GS1 element: an Application Identifier and its data.
type AIValue struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
}

// GS1Error is what is wrong with a GS1 element string or Digital Link. AI
// is empty when the fault is not tied to one element.
type GS1Error struct {
	AI  string
	Msg string
}

// Error formats the fault as "AI (17): 251301 is not a valid date".
func (e *GS1Error) Error() string {
	if e.AI == "" {
		return "GS1: " + e.Msg
	}
	return fmt.Sprintf("AI (%s): %s", e.AI, e.Msg)
}

func gs1Errorf(ai, format string, args ...any) *GS1Error {
	return &GS1Error{AI: ai, Msg: fmt.Sprintf(format, args...)}
}

// isGS1AIM reports whether id is a symbology identifier that announces GS1
// element strings (GS1 General Specifications, figure 5.1.2-2, and
// ISO/IEC 15424).
func isGS1AIM(id string) bool {
	switch id {
	case "]C1", "]e0", "]e1", "]e2", "]d2", "]d5", "]Q3", "]Q4", "]J1":
		return true
	}
	return false
}

// ParseGS1 splits a GS1 element string into its elements, in order, and
// validates them against the GS1 Barcode Syntax Dictionary: lengths,
// character sets, check digits, dates and the mandatory and invalid AI
// pairings. It accepts the string as a reader transmits it (optionally
// after a symbology identifier such as "]C1" or a leading FNC1 as GS, with
// GS between variable-length elements) and the human-readable bracketed
// form "(01)09501101530003(17)250101" (with "\(" for a literal
// parenthesis). On error it returns the elements it could split and a
// *GS1Error.
func ParseGS1(s string) ([]AIValue, error) {
	if len(s) >= 3 && isGS1AIM(s[:3]) {
		s = s[3:]
	}
	var (
		elems []AIValue
		err   error
	)
	if strings.HasPrefix(s, "(") {
		elems, err = splitBracketed(s)
	} else {
		elems, err = splitElementString(s)
	}
	if err != nil {
		return elems, err
	}
	return elems, validateElements(elems)
}

// splitElementString splits unbracketed GS1 data: predefined-length AIs
// take their fixed length, the others run to the next GS or the end.
func splitElementString(s string) ([]AIValue, error) {
	var out []AIValue
	for len(s) > 0 {
		if s[0] == gs {
			s = s[1:]
			continue
		}
		ai, e, ok := lookupAI(s)
		if !ok {
			return out, gs1Errorf("", "no known AI at %q", clip(s, 4))
		}
		s = s[len(ai):]
		var v string
		if n := e.fixedLen(); e.fixed && n > 0 {
			if len(s) < n {
				v, s = s, ""
			} else {
				v, s = s[:n], s[n:]
			}
		} else if i := strings.IndexByte(s, gs); i >= 0 {
			v, s = s[:i], s[i+1:]
		} else {
			v, s = s, ""
		}
		out = append(out, AIValue{AI: ai, Value: v})
	}
	if len(out) == 0 {
		return nil, gs1Errorf("", "no elements")
	}
	return out, nil
}

// splitBracketed splits the human-readable form "(01)…(17)…".
func splitBracketed(s string) ([]AIValue, error) {
	var out []AIValue
	for len(s) > 0 {
		ai, n := bracketAIAt(s)
		if n == 0 {
			return out, gs1Errorf("", "expected a bracketed AI at %q", clip(s, 6))
		}
		s = s[n:]
		var v strings.Builder
		for len(s) > 0 {
			if strings.HasPrefix(s, `\(`) {
				v.WriteByte('(')
				s = s[2:]
				continue
			}
			if _, m := bracketAIAt(s); m > 0 {
				break
			}
			v.WriteByte(s[0])
			s = s[1:]
		}
		out = append(out, AIValue{AI: ai, Value: v.String()})
	}
	return out, nil
}

// bracketAIAt returns the AI of a "(NN)" at the start of s that names a
// known AI, and the length of the bracketed AI, or 0.
func bracketAIAt(s string) (string, int) {
	if len(s) < 4 || s[0] != '(' {
		return "", 0
	}
	j := strings.IndexByte(s[:min(len(s), 6)], ')')
	if j < 3 {
		return "", 0
	}
	ai := s[1:j]
	if !allDigits(ai) {
		return "", 0
	}
	if _, ok := aiTable()[ai]; !ok {
		return "", 0
	}
	return ai, j + 1
}

// validateElements checks each element's data and then the pairing rules
// over the whole message.
func validateElements(elems []AIValue) error {
	seen := make(map[string]string, len(elems))
	for _, el := range elems {
		e, ok := aiTable()[el.AI]
		if !ok {
			return gs1Errorf(el.AI, "unknown AI")
		}
		if err := validateValue(el.AI, e, el.Value); err != nil {
			return err
		}
		if prev, dup := seen[el.AI]; dup && prev != el.Value {
			return gs1Errorf(el.AI, "appears twice with different values")
		}
		seen[el.AI] = el.Value
	}
	return validatePairs(elems, seen)
}

// validateValue checks one element's data against its components.
func validateValue(ai string, e aiEntry, v string) error {
	if v == "" {
		return gs1Errorf(ai, "no data")
	}
	pos := 0
	for _, p := range e.parts {
		if pos == len(v) {
			if p.optional {
				break
			}
			return lengthError(ai, e, v)
		}
		n := min(p.max, len(v)-pos)
		if n < p.min {
			return lengthError(ai, e, v)
		}
		comp := v[pos : pos+n]
		if err := checkCharset(ai, p.cset, comp); err != nil {
			return err
		}
		for _, l := range p.linters {
			if err := lint(ai, l, comp); err != nil {
				return err
			}
		}
		pos += n
	}
	if pos < len(v) {
		return lengthError(ai, e, v)
	}
	return nil
}

func lengthError(ai string, e aiEntry, v string) error {
	if n := e.fixedLen(); n > 0 {
		return gs1Errorf(ai, "%q has %d characters, want %d", clip(v, 40), len(v), n)
	}
	return gs1Errorf(ai, "%q has %d characters, want at most %d", clip(v, 40), len(v), e.maxLen())
}

// validatePairs applies the dictionary's "req" and "ex" attributes.
func validatePairs(elems []AIValue, present map[string]string) error {
	has := func(pattern string) bool {
		for ai := range present {
			if aiMatches(pattern, ai) {
				return true
			}
		}
		return false
	}
	for _, el := range elems {
		e := aiTable()[el.AI]
		for _, group := range e.req {
			if !reqSatisfied(group, has) {
				return gs1Errorf(el.AI, "needs %s in the same message", describeReq(group))
			}
		}
		for _, pattern := range e.ex {
			for other := range present {
				if other != el.AI && aiMatches(pattern, other) {
					return gs1Errorf(el.AI, "must not appear with (%s)", other)
				}
			}
		}
	}
	return nil
}

func reqSatisfied(group [][]string, has func(string) bool) bool {
	for _, alt := range group {
		all := true
		for _, pattern := range alt {
			if !has(pattern) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// describeReq renders a req group as "(01) or (02)+(37)".
func describeReq(group [][]string) string {
	alts := make([]string, len(group))
	for i, alt := range group {
		parts := make([]string, len(alt))
		for j, p := range alt {
			parts[j] = "(" + p + ")"
		}
		alts[i] = strings.Join(parts, "+")
	}
	return strings.Join(alts, " or ")
}

// clip shortens s to at most n bytes for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
