// Package devtest provides stand-in hardware for tests: pseudo-terminal scanners that can be
// unplugged and plugged back in at the same path, a loopback TCP 9100 printer that records what
// it is sent and can answer status queries, drop the connection or stall, and a FIFO in place
// of a USB printer node. Only tests import it; it imports nothing of the project.
package devtest
