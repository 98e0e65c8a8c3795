package scale

import (
	"bytes"
	"errors"
	"fmt"
)

// The Mettler Toledo 8217 protocol, as the Mettler Toledo scale of the PSC Magellan 8500 ("DIVA")
// describes it (DIVA Service Manual, 6.1.3.2 "Command Descriptions" and 6.1.4.3 "Status Byte
// Format"), the protocol bioptic scanner-scales offer as "Toledo"/"8217":
//
//	request  W                          (one byte, no CR)
//	answer   STX WW.WW CR               gross weight in pounds (two decimals)
//	         STX WW.WWW CR              gross weight in kilograms (three decimals)
//	         STX WW.WWWN CR, STX WW.WWN CR   the same as a net weight (tare taken)
//	         STX ? status CR            one status byte, sent instead of a weight when the scale
//	                                    is in motion, the weight is negative or over capacity
//
// The status byte (an ASCII character): bit 0 in motion, bit 1 over capacity, bit 2 under zero,
// bit 3 outside the zero capture range, bit 4 centre of zero, bit 5 net weight, bit 6 always 1,
// bit 7 even parity (stripped by a 7E1 port, ignored here).

// STX starts every answer of the 8217 protocol.
const STX = 0x02

// ToledoRequest is the 8217 weight request.
var ToledoRequest = []byte("W")

// Status bits of an 8217 status byte.
const (
	toledoMotion      = 1 << 0
	toledoOver        = 1 << 1
	toledoUnder       = 1 << 2
	toledoOutsideZero = 1 << 3
	toledoCentreZero  = 1 << 4
	toledoFixed       = 1 << 6
)

// maxToledoBody bounds what follows STX in an answer: "WWW.WWWN" is 8 bytes.
const maxToledoBody = 10

type toledo struct{}

func (toledo) Name() string                        { return NameToledo }
func (toledo) Request() []byte                     { return append([]byte(nil), ToledoRequest...) }
func (toledo) IsReply(frame []byte) bool           { return isToledoReply(frame) }
func (toledo) Parse(frame []byte) (Reading, error) { return ParseToledo(frame) }

// isToledoReply: an 8217 answer has STX near its start (line noise before it is tolerated) and
// is short; a label never carries STX.
func isToledoReply(frame []byte) bool {
	i := bytes.IndexByte(frame, STX)
	return i >= 0 && i < 8 && len(frame)-i <= maxToledoBody+2
}

// ParseToledo parses one 8217 answer without or with its CR. Bytes before the last STX (line
// noise, a partial earlier answer) are ignored. Weights in pounds are refused, like the Magellan
// protocol's: the agent sells by the gram and does not convert a certified reading; a weight
// without a decimal point is refused because its unit cannot be told.
func ParseToledo(frame []byte) (Reading, error) {
	frame = bytes.TrimRight(frame, "\r\n")
	i := bytes.LastIndexByte(frame, STX)
	if i < 0 {
		return Reading{}, fmt.Errorf("%w: %q has no STX", ErrNotScale, clip(frame))
	}
	body := frame[i+1:]
	if len(body) == 0 {
		return Reading{}, errors.New("scale: empty 8217 answer (STX CR)")
	}
	if len(body) > maxToledoBody {
		return Reading{}, fmt.Errorf("scale: 8217 answer %q longer than %d bytes", clip(body), maxToledoBody)
	}
	if body[0] == '?' {
		if len(body) != 2 {
			return Reading{}, fmt.Errorf("scale: 8217 status answer %q, want STX ? and one status byte", body)
		}
		return toledoStatus(body[1])
	}
	return toledoWeight(body)
}

func toledoStatus(b byte) (Reading, error) {
	b &= 0x7f // bit 7 is the parity bit
	if b&toledoFixed == 0 {
		return Reading{}, fmt.Errorf("scale: 8217 status byte %#02x lacks bit 6 (always 1)", b)
	}
	switch {
	case b&toledoOutsideZero != 0:
		return Reading{Status: NoZero}, nil
	case b&toledoOver != 0:
		return Reading{Status: OverCapacity}, nil
	case b&toledoUnder != 0:
		return Reading{Status: UnderZero}, nil
	case b&toledoMotion != 0:
		return Reading{Status: Unstable}, nil
	case b&toledoCentreZero != 0:
		return Reading{Status: Zero}, nil
	}
	return Reading{}, fmt.Errorf("scale: 8217 status byte %#02x reports no condition", b)
}

func toledoWeight(body []byte) (Reading, error) {
	w := bytes.TrimSuffix(body, []byte("N")) // a net weight is a weight like a gross one
	if len(w) > 0 && w[0] == '-' {
		return Reading{Status: UnderZero}, nil
	}
	dot := bytes.IndexByte(w, '.')
	if dot < 0 {
		return Reading{}, fmt.Errorf("scale: 8217 weight %q has no decimal point, so its unit is unknown", w)
	}
	whole, frac := w[:dot], w[dot+1:]
	if len(whole) == 0 || len(whole) > 3 || !digits(whole) || !digits(frac) {
		return Reading{}, fmt.Errorf("scale: 8217 weight %q is not digits with one decimal point", w)
	}
	switch len(frac) {
	case 3:
	case 2:
		return Reading{}, fmt.Errorf("scale: 8217 weight %q is in pounds (two decimals); set the scale to kilograms", w)
	default:
		return Reading{}, fmt.Errorf("scale: 8217 weight %q has %d decimals, want 3 (kg)", w, len(frac))
	}
	var g int64
	for _, c := range whole {
		g = g*10 + int64(c-'0')
	}
	g *= 1000
	g += int64(frac[0]-'0')*100 + int64(frac[1]-'0')*10 + int64(frac[2]-'0')
	if g > MaxWeightG {
		return Reading{}, fmt.Errorf("scale: weight %d g above %d", g, MaxWeightG)
	}
	if g == 0 {
		return Reading{Status: Zero}, nil
	}
	return Reading{Status: Stable, WeightG: g}, nil
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func clip(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}
