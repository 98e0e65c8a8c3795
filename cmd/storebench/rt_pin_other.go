//go:build !linux

package main

import (
	"errors"
	"time"
)

func pinProcess(pid int, cpus []int) error { return errors.New("pinning is Linux only") }

func procCPU(pid int) (time.Duration, error) { return 0, errors.New("CPU time is read on Linux only") }
