package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strings"
)

// SignatureHeader is the request header that carries the webhook signature.
const SignatureHeader = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// maxChallengeLen bounds the echoed hub.challenge. Meta sends a short
// integer; the bound only keeps the endpoint from reflecting large input.
const maxChallengeLen = 256

// Sign returns the X-Hub-Signature-256 value for body: "sha256=" followed by
// the lowercase hex HMAC-SHA256 of the body keyed with the app secret. The
// emulator and load generator use it to sign what they send.
func Sign(appSecret, body []byte) string {
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether header is a valid X-Hub-Signature-256 for
// body. body must be the raw request bytes: Meta signs the escaped form it
// sent (\u00fc, \/), so re-encoded JSON does not verify. The prefix must be
// exactly "sha256=", the digest 64 hex digits, and the comparison is constant
// time. An empty app secret never verifies, so that a missing configuration
// cannot turn into "anyone can sign".
func VerifySignature(appSecret, body []byte, header string) bool {
	if len(appSecret) == 0 {
		return false
	}
	digest, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok || len(digest) != hex.EncodedLen(sha256.Size) {
		return false
	}
	got, err := hex.DecodeString(digest)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, appSecret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// VerifyChallenge checks the GET handshake Meta sends when a webhook is
// configured. It returns hub.challenge, to be echoed as the whole text/plain
// response body, when hub.mode is "subscribe" and hub.verify_token equals
// verifyToken. The token comparison is constant time (over digests, so the
// token's length does not leak either); an empty verifyToken never matches.
func VerifyChallenge(query url.Values, verifyToken string) (challenge string, ok bool) {
	if verifyToken == "" || query.Get("hub.mode") != "subscribe" {
		return "", false
	}
	challenge = query.Get("hub.challenge")
	if challenge == "" || len(challenge) > maxChallengeLen {
		return "", false
	}
	got := sha256.Sum256([]byte(query.Get("hub.verify_token")))
	want := sha256.Sum256([]byte(verifyToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return "", false
	}
	return challenge, true
}
