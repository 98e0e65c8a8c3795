//go:build !race

package promo

// propCases is how many baskets each seed and shape of the property tests prices.
const propCases = 300
