// Package payterm is the payment-terminal device class: a card terminal (EPT) that charges or
// refunds a card for an amount the POS names. Drivers live in subpackages (caisseap: Caisse-AP
// over IP, the French concert protocol; caisseapemu is its emulator for tests and the demo).
//
// A request to a terminal is never retried by a driver: once a byte of it may have reached the
// terminal, only the terminal's answer (or a person reading its slip) can say whether the card was
// charged. A driver therefore reports StatusUnknown for every failure after that point, and
// StatusDeclined with ReasonUnreachable only when nothing was sent.
package payterm

import "context"

// Kind says which way the money goes.
type Kind string

// The kinds of a transaction.
const (
	KindPayment Kind = "payment" // the card is debited
	KindRefund  Kind = "refund"  // the card is credited
)

// Status is a transaction's outcome as the terminal (or the lack of an answer) says it.
type Status string

// The outcomes of a transaction.
const (
	// StatusApproved: the terminal says the card was charged (or credited).
	StatusApproved Status = "approved"
	// StatusDeclined: the terminal says nothing was done (refused card, wrong PIN, input timeout
	// on the terminal), or the request never left the agent (ReasonUnreachable).
	StatusDeclined Status = "declined"
	// StatusCancelled: the cardholder or the cashier abandoned it on the terminal (red button).
	StatusCancelled Status = "cancelled"
	// StatusUnknown: the request may have reached the terminal but no usable answer came back
	// (timeout, broken link, an answer that does not parse or does not match the request).
	StatusUnknown Status = "unknown"
)

// ReasonUnreachable is the reason of a declined transaction whose request never left the agent:
// the terminal refused the connection or could not be reached. Nothing was charged.
const ReasonUnreachable = "terminal_unreachable"

// Request is one transaction to send.
type Request struct {
	Kind Kind
	// AmountMinor is the amount in the currency's minor unit (cents), > 0.
	AmountMinor int64
	// Currency is the ISO 4217 alphabetic code (EUR); the driver sends what its protocol needs.
	Currency string
}

// Result is what came of a transaction. Every text field is bounded and printable.
type Result struct {
	Status Status
	// Reason says why a transaction is not approved, in a stable snake_case code
	// ("refused", "input_timeout", "timeout", "wrong_echo" …); "" when approved.
	Reason string
	// AuthCode is the issuer's authorisation number (approved only).
	AuthCode string
	// CardMasked is the card number as the terminal masked it (at most the first 6 and last 4
	// digits readable; the driver masks further when a terminal shows more).
	CardMasked string
	// Scheme is the card application ("CB", "AMEX", "VISA" …) when the terminal says it.
	Scheme string
	// EntryMode is how the card was read: "chip", "contactless", "swipe", "manual" or "".
	EntryMode string
	// Detail is a short diagnostic for the log (not shown to shoppers).
	Detail string
}

// Terminal is one payment terminal.
type Terminal interface {
	// Transact sends one request and waits for its outcome; ctx bounds the wait (its end makes
	// the outcome StatusUnknown once the request is out). It never sends the request twice.
	Transact(ctx context.Context, req Request) Result
}
