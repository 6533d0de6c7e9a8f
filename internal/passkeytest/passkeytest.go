// Package passkeytest is a software WebAuthn authenticator for tests: it
// holds ECDSA P-256 keys and builds the JSON a browser sends for
// navigator.credentials.create (attestation "none") and .get, so the
// server's real verification runs without a browser.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

var b64 = base64.RawURLEncoding

// Authenticator is one software authenticator bound to an origin.
type Authenticator struct {
	Origin string
	RPID   string
	// AAGUID is reported at registration (16 bytes).
	AAGUID [16]byte
	creds  map[string]*Credential
}

// Credential is one key pair the authenticator made.
type Credential struct {
	ID         []byte
	UserHandle []byte
	Key        *ecdsa.PrivateKey
	// Counter is the signature counter; each assertion increments it
	// first. Tests set it back to provoke a regression.
	Counter uint32
}

// New returns an authenticator for origin (e.g. "http://localhost:8080")
// and relying party id rpID ("localhost").
func New(origin, rpID string) *Authenticator {
	a := &Authenticator{Origin: origin, RPID: rpID, creds: map[string]*Credential{}}
	_, _ = rand.Read(a.AAGUID[:])
	return a
}

// Credential returns the credential with id, or nil.
func (a *Authenticator) Credential(id []byte) *Credential { return a.creds[string(id)] }

// CreationOptions is the part of PublicKeyCredentialCreationOptionsJSON
// the authenticator reads.
type CreationOptions struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
}

// RequestOptions is the part of PublicKeyCredentialRequestOptionsJSON the
// authenticator reads.
type RequestOptions struct {
	Challenge        string `json:"challenge"`
	RPID             string `json:"rpId"`
	AllowCredentials []struct {
		ID string `json:"id"`
	} `json:"allowCredentials"`
}

// Create makes a new credential for the options (the JSON the server
// sent as publicKey) and returns it with the RegistrationResponseJSON.
func (a *Authenticator) Create(optionsJSON []byte) (*Credential, []byte, error) {
	var o CreationOptions
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, nil, err
	}
	rpID := o.RP.ID
	if rpID == "" {
		rpID = a.RPID
	}
	user, err := b64.DecodeString(o.User.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("user id: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	c := &Credential{ID: make([]byte, 32), UserHandle: user, Key: key}
	_, _ = rand.Read(c.ID)
	a.creds[string(c.ID)] = c

	clientData, _ := json.Marshal(map[string]any{"type": "webauthn.create", "challenge": o.Challenge, "origin": a.Origin, "crossOrigin": false})
	// authenticatorData: rpIdHash | flags | counter | attestedCredentialData
	rpHash := sha256.Sum256([]byte(rpID))
	auth := append([]byte{}, rpHash[:]...)
	auth = append(auth, 0x01|0x04|0x40) // UP, UV, AT
	auth = binary.BigEndian.AppendUint32(auth, c.Counter)
	auth = append(auth, a.AAGUID[:]...)
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(c.ID)))
	auth = append(auth, c.ID...)
	auth = append(auth, coseKey(&key.PublicKey)...)

	var att cbor
	att.mapHeader(3)
	att.text("fmt")
	att.text("none")
	att.text("attStmt")
	att.mapHeader(0)
	att.text("authData")
	att.bytes(auth)

	resp, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"attestationObject": b64.EncodeToString(att.b),
			"transports":        []string{"internal"},
		},
	})
	return c, resp, err
}

// Assertion is what [Authenticator.Get] may tamper with.
type Assertion struct {
	// BadSignature flips a bit of the signature.
	BadSignature bool
}

// Get signs the options' challenge with the credential (the first of
// allowCredentials the authenticator holds) and returns the
// AuthenticationResponseJSON.
func (a *Authenticator) Get(optionsJSON []byte, how Assertion) ([]byte, error) {
	var o RequestOptions
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, err
	}
	var c *Credential
	for _, ac := range o.AllowCredentials {
		id, err := b64.DecodeString(ac.ID)
		if err == nil && a.creds[string(id)] != nil {
			c = a.creds[string(id)]
			break
		}
	}
	if c == nil {
		return nil, fmt.Errorf("passkeytest: no credential of this authenticator is allowed")
	}
	rpID := o.RPID
	if rpID == "" {
		rpID = a.RPID
	}
	c.Counter++
	clientData, _ := json.Marshal(map[string]any{"type": "webauthn.get", "challenge": o.Challenge, "origin": a.Origin, "crossOrigin": false})
	rpHash := sha256.Sum256([]byte(rpID))
	auth := append([]byte{}, rpHash[:]...)
	auth = append(auth, 0x01|0x04) // UP, UV
	auth = binary.BigEndian.AppendUint32(auth, c.Counter)
	cdHash := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, digest[:])
	if err != nil {
		return nil, err
	}
	if how.BadSignature {
		sig[len(sig)-1] ^= 0x01
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"authenticatorData": b64.EncodeToString(auth),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(c.UserHandle),
		},
	})
}

// coseKey encodes an EC2 P-256 public key for ES256 as COSE_Key.
func coseKey(pub *ecdsa.PublicKey) []byte {
	raw, _ := pub.Bytes() // 0x04 | X | Y
	var c cbor
	c.mapHeader(5)
	c.int(1) // kty
	c.int(2) // EC2
	c.int(3) // alg
	c.int(-7)
	c.int(-1) // crv
	c.int(1)  // P-256
	c.int(-2) // x
	c.bytes(raw[1:33])
	c.int(-3) // y
	c.bytes(raw[33:65])
	return c.b
}

// cbor is the little of RFC 8949 the authenticator writes.
type cbor struct{ b []byte }

func (c *cbor) head(major byte, n uint64) {
	switch {
	case n < 24:
		c.b = append(c.b, major<<5|byte(n))
	case n < 1<<8:
		c.b = append(c.b, major<<5|24, byte(n))
	case n < 1<<16:
		c.b = append(c.b, major<<5|25)
		c.b = binary.BigEndian.AppendUint16(c.b, uint16(n))
	default:
		c.b = append(c.b, major<<5|26)
		c.b = binary.BigEndian.AppendUint32(c.b, uint32(n))
	}
}

func (c *cbor) int(v int64) {
	if v >= 0 {
		c.head(0, uint64(v))
	} else {
		c.head(1, uint64(-1-v))
	}
}
func (c *cbor) bytes(b []byte)     { c.head(2, uint64(len(b))); c.b = append(c.b, b...) }
func (c *cbor) text(s string)      { c.head(3, uint64(len(s))); c.b = append(c.b, s...) }
func (c *cbor) mapHeader(n uint64) { c.head(5, n) }
