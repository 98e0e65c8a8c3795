//go:build unix

package db

import "syscall"

var errNoSpace error = syscall.ENOSPC
