//go:build race

package scanner

// raceEnabled: the race detector slows gozxing about tenfold; the photo tests then decode fewer
// images (the same ones run in full without -race).
const raceEnabled = true
