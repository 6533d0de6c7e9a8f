// Package switchboard holds Switchboard's domain: the entities a team inbox for
// the WhatsApp Business Platform is made of, the errors it speaks, and the
// interfaces its storage, real-time hub and clock provide.
//
// The package imports only the standard library. Storage (internal/sqlite,
// internal/postgres), HTTP (internal/api), WhatsApp (internal/whatsapp) and the
// use cases (internal/inbox) depend on it, never the other way round;
// cmd/switchboard wires them together.
package switchboard

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewID returns a new opaque identifier: 128 random bits, hex encoded, so ids
// can be neither guessed nor enumerated.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s has the shape of an id made by [NewID]. Handlers use
// it to answer malformed ids with 404 without touching storage.
func ValidID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Clock tells the time. Tests substitute a controllable one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
