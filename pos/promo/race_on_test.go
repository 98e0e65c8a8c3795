//go:build race

package promo

// propCases is how many baskets each seed and shape of the property tests prices: fewer under
// the race detector (CI runs go test -race), which makes the engine several times slower.
const propCases = 100
