//go:build !unix

package db

import "errors"

// FreeBytes is not measured on this system.
func FreeBytes(dir string) (uint64, error) { return 0, errors.ErrUnsupported }
