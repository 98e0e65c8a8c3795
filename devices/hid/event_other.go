//go:build !linux

package hid

// NativeRecordSize is the size of a Linux input_event record on 64-bit platforms. Reading
// devices is Linux only; elsewhere the decoder still works on recorded streams.
const NativeRecordSize = 24
