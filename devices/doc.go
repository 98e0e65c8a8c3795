// Package devices moves bytes between the agent and its store hardware: barcode scanners (serial,
// USB CDC-ACM, HID keyboard wedge) and receipt printers (serial, USB printer class, TCP 9100).
//
// It holds the Port interface and one opener per transport, the scanner firmware profiles
// (firmware-profiles/scanners/*.yaml), enumeration of the devices present for `storeagent
// devices`, and the Manager that keeps each configured device open, reconnects it after an
// unplug, and turns scanner bytes into frames:
//
//	serial/CDC port ──► framing.Framer ──┐
//	evdev ──► hid.Decoder ──► Framer ────┼──► Event{Kind: "frame"} ──► scanner package
//	                                     └──► Event{Kind: "state"} ──► status, SSE, metrics
//	printer driver ──► Manager.OpenPort ──► Port (serial | usblp | tcp)
//
// It imports scanner/framing, devices/hid and firmware-profiles, nothing else of the project;
// agent wires it, the printer drivers (devices/escpos) use its ports.
package devices
