// Package promo prices a basket against the store's promotions. It is pure: no I/O, no clock, no
// randomness, so the store, central and the web shop get the same lines and totals from the same input
// (the golden baskets under testdata/golden are that input). Any package may import it.
//
// # Kinds
//
//   - percent: params.percent_bp off each eligible unit (2000 = 20 %).
//   - amount_off: params.amount_minor off each eligible unit (a weighed line is one unit).
//   - fixed_price: the unit costs params.price_minor (per kg for a weighed line).
//   - multibuy: params.buy units for params.pay units (3 for 2) or for params.price_minor (3 for 5.00).
//   - mix_match: one unit set from each of params.groups (qty units each) makes a bundle that costs
//     params.price_minor, or gets params.percent_bp or params.amount_minor off.
//   - threshold: when the eligible subtotal reaches params.threshold_minor, params.amount_minor or
//     params.percent_bp off that subtotal.
//
// A unit is eligible when its SKU is in skus or its category in categories; both empty means every
// unit (mix_match uses its groups' lists instead).
//
// # Concurrency
//
// Promotions outside their [starts_at, ends_at) window, inactive ones and ones whose customer_tiers do
// not name the basket's tier are ignored. The rest run in groups, in this order: non-threshold
// exclusive, non-threshold compounding, threshold exclusive, threshold compounding; inside each of
// these by priority, the highest number first. In one group (same stage, exclusivity and priority) a
// unit takes at most one promotion: the engine evaluates every promotion of the group on the units
// still free, applies the one that saves the customer most (ties: the smaller promotion_id), and
// repeats until nothing saves more. Later groups compound on the amounts left by earlier ones. An
// exclusive promotion only takes units no promotion has discounted yet, and no promotion touches a
// unit after an exclusive one did. Threshold subtotals are taken after the non-threshold discounts.
// Promotions of a group that share no unit are worked out separately (up to five competing ones:
// every order is tried). An exclusive promotion is used only when the lines it competes for are
// cheaper with it (runs with the exclusive promotions used switched off are compared).
//
// # Adding an item
//
// Lines linked by promotions form clusters, priced on their own. A cluster costs no more than
// the parts of it the envelope tries, each priced alone plus the rest at full price: every part
// for up to six lines (within a work bound), the parts without one line for a larger cluster
// within a second bound. Adding an item never raises the basket's total by more than the item's
// own price when the part chosen without it is among those tried with it; envelope.go proves
// that, and why no bounded work can promise it for clusters of every size under these rules.
// docs/promotions.md has the details and the limits.
//
// # Splitting a discount to the cent
//
// Each application of a promotion computes one discount in minor units (a percentage is rounded half
// up on the sum of the units it covers), then splits it over those units in proportion to their
// current amounts by the largest-remainder method: each unit gets floor(D × a / A); the cents left go
// one each to the units with the largest remainders, ties in the canonical unit order (amount
// descending, then SKU, category, VAT rate, line index). No unit gets more than its amount, the shares
// add up to D exactly, and each line's discount is the sum of its units' shares. VAT is computed per
// rate on the discounted line amounts (tax-inclusive, half up, as in pos.TaxOf), so the receipt's VAT
// per rate always adds up from the lines it prints. "3 for 2" puts the whole discount on the cheapest
// unit of each set of three: that unit is free.
package promo
