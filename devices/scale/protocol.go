package scale

import (
	"fmt"
	"sort"
	"strings"
)

// Protocol is one scanner-scale's serial scale protocol: the request that asks for the weight,
// how its answers are told apart from labels on the shared port, and how an answer is read.
type Protocol interface {
	// Name is the protocol's name as profiles spell it (the scanner profile's scale key).
	Name() string
	// Request is the bytes that ask the scale for its weight, answered in every state.
	Request() []byte
	// IsReply reports whether a frame from the port is an answer of this protocol, not a label.
	IsReply(frame []byte) bool
	// Parse reads one answer (the frame without its CR).
	Parse(frame []byte) (Reading, error)
}

// Protocol names, as the scanner profiles' scale key takes them.
const (
	NameMagellan = "magellan-single-cable"
	NameToledo   = "toledo-8217"
)

// Magellan is the Datalogic Magellan Single Cable protocol (S14 request, S14x answers).
var Magellan Protocol = magellan{}

// Toledo is the Mettler Toledo 8217 protocol ('W' request, STX weight CR or STX '?' status CR).
var Toledo Protocol = toledo{}

var protocols = map[string]Protocol{NameMagellan: Magellan, NameToledo: Toledo}

// ProtocolFor returns the protocol a profile names; "" is none (nil, no error).
func ProtocolFor(name string) (Protocol, error) {
	if name == "" {
		return nil, nil
	}
	if p, ok := protocols[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("scale protocol %q unknown; known: %s", name, strings.Join(ProtocolNames(), ", "))
}

// ProtocolNames lists the protocols this package speaks, sorted.
func ProtocolNames() []string {
	out := make([]string, 0, len(protocols))
	for n := range protocols {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

type magellan struct{}

func (magellan) Name() string                        { return NameMagellan }
func (magellan) Request() []byte                     { return append([]byte(nil), Request...) }
func (magellan) IsReply(frame []byte) bool           { return isMagellanReply(frame) }
func (magellan) Parse(frame []byte) (Reading, error) { return ParseReply(frame) }

// Lookup returns the protocol named name, or nil when it is empty or unknown (profiles are
// validated with ProtocolFor when loaded).
func Lookup(name string) Protocol {
	p, _ := ProtocolFor(name)
	return p
}
