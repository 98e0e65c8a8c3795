package hid

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// NativeRecordSize is the size of struct input_event on this platform: a struct timeval (16 bytes
// on 64-bit Linux, 8 on 32-bit ARM and x86) followed by type u16, code u16 and value s32.
const NativeRecordSize = int(unsafe.Sizeof(unix.Timeval{})) + 8
