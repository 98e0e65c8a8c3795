//go:build !unix

package db

import "errors"

var errNoSpace = errors.New("no space left on device")
