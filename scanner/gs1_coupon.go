package scanner

// The two North American coupon AIs carry a packed, variable-length-indicator (VLI) structure
// in one numeric value. Their layouts are those of the GS1 General Specifications (3.9.x, AI
// 8110 and 8112) and the documents they refer to: "North American Coupon Application Guideline
// Using GS1 DataBar Expanded Symbols" (8110) and "GS1 AI (8112) Coupon Data Specification"
// (8112); the checks follow the couponcode and couponposoffer linters of the GS1 Barcode
// Syntax Dictionary. The GS1 Company Prefix inside them is checked for its length only: the
// prefix allocation table (the gcppos1 linter's data source) is not carried here.

import "fmt"

// couponReader walks a coupon value field by field; the first problem stops it.
type couponReader struct {
	ai, v string
	p     int
	err   error
}

func (r *couponReader) failf(format string, args ...any) {
	if r.err == nil {
		r.err = gs1Errorf(r.ai, "%s: %s", clip(r.v, 40), fmt.Sprintf(format, args...))
	}
}

// more reports whether digits remain (and no problem was found).
func (r *couponReader) more() bool { return r.err == nil && r.p < len(r.v) }

// digit reads one digit that must be present and satisfy ok.
func (r *couponReader) digit(field string, ok func(byte) bool, allowed string) byte {
	if r.err != nil {
		return 0
	}
	if r.p >= len(r.v) {
		r.failf("%s is missing", field)
		return 0
	}
	c := r.v[r.p]
	if !ok(c) {
		r.failf("%s %c is not %s", field, c, allowed)
		return 0
	}
	r.p++
	return c
}

// fixed reads n digits that must be present.
func (r *couponReader) fixed(field string, n int) string {
	if r.err != nil {
		return ""
	}
	if len(r.v)-r.p < n {
		r.failf("%s needs %d digits, %d are left", field, n, len(r.v)-r.p)
		return ""
	}
	s := r.v[r.p : r.p+n]
	r.p += n
	return s
}

// vli reads a length indicator (lo..hi, plus add digits follow) and the field it announces.
func (r *couponReader) vli(field string, lo, hi byte, add int) string {
	c := r.digit(field+" length indicator", func(c byte) bool { return c >= lo && c <= hi },
		fmt.Sprintf("%c to %c", lo, hi))
	if r.err != nil {
		return ""
	}
	return r.fixed(field, int(c-'0')+add)
}

func digitIn(set string) func(byte) bool {
	return func(c byte) bool {
		for i := 0; i < len(set); i++ {
			if set[i] == c {
				return true
			}
		}
		return false
	}
}

// lintCouponCode checks AI (8110), the North American Coupon Code: GCP (VLI 0-6, 6+n
// digits), offer code (6), save value (VLI 1-5), first purchase requirement (VLI 1-5), its
// code (0-4, 9) and family code (3), then the optional fields 1 (additional purchase rules,
// second purchase), 2 (third purchase), 3 (expiration date), 4 (start date, not after the
// expiration date), 5 (serial number), 6 (retailer GCP/GLN) and 9 (miscellaneous), each at
// most once and in that order; nothing may follow.
func lintCouponCode(ai, v string) error {
	if !allDigits(v) {
		return gs1Errorf(ai, "%q is not numeric", clip(v, 40))
	}
	r := &couponReader{ai: ai, v: v}
	r.vli("GS1 Company Prefix", '0', '6', 6)
	r.fixed("offer code", 6)
	r.vli("save value", '1', '5', 0)
	r.vli("primary purchase requirement", '1', '5', 0)
	r.digit("primary purchase requirement code", digitIn("012349"), "0-4 or 9")
	r.fixed("primary purchase family code", 3)
	if r.more() && v[r.p] == '1' {
		r.p++
		r.digit("additional purchase rules code", digitIn("0123"), "0-3")
		r.purchase("second")
	}
	if r.more() && v[r.p] == '2' {
		r.p++
		r.purchase("third")
	}
	var expiry string
	if r.more() && v[r.p] == '3' {
		r.p++
		expiry = r.fixed("expiration date", 6)
		if r.err == nil && !validYYMMDD(expiry, false) {
			r.failf("expiration date %s is not a valid date (YYMMDD)", expiry)
		}
	}
	if r.more() && v[r.p] == '4' {
		r.p++
		start := r.fixed("start date", 6)
		switch {
		case r.err != nil:
		case !validYYMMDD(start, false):
			r.failf("start date %s is not a valid date (YYMMDD)", start)
		case expiry != "" && start > expiry:
			r.failf("expiration date %s is before the start date %s", expiry, start)
		}
	}
	if r.more() && v[r.p] == '5' {
		r.p++
		r.vli("serial number", '0', '9', 6)
	}
	if r.more() && v[r.p] == '6' {
		r.p++
		r.vli("retailer GCP/GLN", '1', '7', 6)
	}
	if r.more() && v[r.p] == '9' {
		r.p++
		r.digit("save value code", digitIn("01256"), "0, 1, 2, 5 or 6")
		r.digit("save value applies to item", digitIn("012"), "0-2")
		r.digit("store coupon flag", digitIn("0123456789"), "a digit")
		r.digit("don't multiply flag", digitIn("01"), "0 or 1")
	}
	if r.more() {
		r.failf("%q at position %d is not an optional field (1-6 or 9, in order, once each)", clip(v[r.p:], 20), r.p+1)
	}
	return r.errOrNil()
}

// purchase reads an additional purchase: requirement (VLI 1-5), its code (0-4, 9), family code
// (3) and GCP (VLI 0-6 with 6+n digits, or 9: the primary GCP, no digits).
func (r *couponReader) purchase(which string) {
	r.vli(which+" purchase requirement", '1', '5', 0)
	r.digit(which+" purchase requirement code", digitIn("012349"), "0-4 or 9")
	r.fixed(which+" purchase family code", 3)
	c := r.digit(which+" purchase GCP length indicator", digitIn("01234569"), "0-6 or 9")
	if r.err == nil && c != '9' {
		r.fixed(which+" purchase GCP", int(c-'0')+6)
	}
}

// lintCouponPosOffer checks AI (8112), the positive offer file coupon: format code (0 or 1),
// funder ID (VLI 0-6, 6+n digits), offer code (6) and serial number (VLI 0-9, 6+n digits),
// nothing after.
func lintCouponPosOffer(ai, v string) error {
	if !allDigits(v) {
		return gs1Errorf(ai, "%q is not numeric", clip(v, 40))
	}
	r := &couponReader{ai: ai, v: v}
	r.digit("format code", digitIn("01"), "0 or 1")
	r.vli("funder ID", '0', '6', 6)
	r.fixed("offer code", 6)
	r.vli("serial number", '0', '9', 6)
	if r.more() {
		r.failf("%q after the serial number is excess data", clip(v[r.p:], 20))
	}
	return r.errOrNil()
}

func (r *couponReader) errOrNil() error {
	if r.err != nil {
		return r.err
	}
	return nil
}
