package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of storebench's own process to path until stop is called;
// measures that run the agent as a separate process (over HTTP) are not in it.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
