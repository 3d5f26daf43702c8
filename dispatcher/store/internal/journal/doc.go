// Package journal holds what the store backends share: the line row layout and its
// decoding, the argument list of a change, the check made before any change is written,
// and the loading of embedded, versioned schema migrations.
//
// Times are stored as Unix nanoseconds in 64-bit integers (0 for the zero time) by every
// backend, so a time read back equals the time written, to the nanosecond.
package journal
