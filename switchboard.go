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
	"encoding/binary"
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

// NewMessageID returns an id of the form [NewID] makes whose first twelve
// hex digits are the time in milliseconds: ids made at about the same time
// sort together, so a messages primary key index grows at its end instead
// of at a random page for every message, which saves a page write per
// stored message. The other 80 bits are random, so the id is still not
// guessable; it only reveals when the message was stored, which its
// timestamps tell anyone who may see it anyway.
func NewMessageID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails on supported platforms
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
