//go:build !(linux || darwin || freebsd)

package main

import (
	"errors"

	"github.com/storeagent/storeagent/pos"
)

type virtualScanner struct{}

func newVirtualScanner() (*virtualScanner, error) {
	return nil, errors.New("the demo's virtual scanner needs a pseudo-terminal (Linux or macOS)")
}

func (v *virtualScanner) Path() string                     { return "" }
func (v *virtualScanner) Scan(string) error                { return errors.New("no virtual scanner") }
func (v *virtualScanner) Close()                           {}
func (v *virtualScanner) register(*pos.Server, []demoCode) {}
