// Package storecrypt is the row codec shared by the SQLite and PostgreSQL
// stores: it seals and opens customer fields with per-contact (or
// per-channel) data keys, and encodes the opaque pagination cursors.
package storecrypt

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// BlindIndexWrapID is the id passed to [seal.MasterKey.Wrap] and Unwrap for
// the blind-index key, so the wrapped key is bound to this one purpose.
const BlindIndexWrapID = "blind-index"

// Codec seals and opens row fields with per-contact (or per-channel) data
// keys. The associated data is seal.AAD(table, column, rowID), so a
// ciphertext cannot be moved to another row or column.
type Codec struct {
	Keys  *seal.Keyring
	Index *seal.BlindIndex
}

// Seal encrypts plaintext under the data key keyID for one database cell.
func (c *Codec) Seal(ctx context.Context, keyID, table, column, rowID string, plaintext []byte) ([]byte, error) {
	k, err := c.Keys.Get(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("seal %s.%s: %w", table, column, err)
	}
	return k.Seal(seal.AAD(table, column, rowID), plaintext), nil
}

// Open decrypts a value made by Seal for the same cell.
func (c *Codec) Open(ctx context.Context, keyID, table, column, rowID string, sealed []byte) ([]byte, error) {
	k, err := c.Keys.Get(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("open %s.%s: %w", table, column, err)
	}
	pt, err := k.Open(seal.AAD(table, column, rowID), sealed)
	if err != nil {
		return nil, fmt.Errorf("open %s.%s: %w", table, column, err)
	}
	return pt, nil
}

// SealJSON seals the JSON encoding of v.
func (c *Codec) SealJSON(ctx context.Context, keyID, table, column, rowID string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal %s.%s: %w", table, column, err)
	}
	return c.Seal(ctx, keyID, table, column, rowID, b)
}

// OpenJSON opens a value made by SealJSON and decodes it into v.
func (c *Codec) OpenJSON(ctx context.Context, keyID, table, column, rowID string, sealed []byte, v any) error {
	b, err := c.Open(ctx, keyID, table, column, rowID, sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s.%s: %w", table, column, err)
	}
	return nil
}

// storedContent is how a message body is stored: the API form plus the
// fields that the API hides with `json:"-"` but the server still needs
// (the WhatsApp media id, to download the file later).
type storedContent struct {
	switchboard.MessageContent
	WAMediaID string `json:"wa_media_id,omitempty"`
}

// EncodeContent returns the storage encoding of a message body. Use it
// rather than json.Marshal: [switchboard.Media.WAMediaID] is not part of the
// API JSON but must survive a round trip through the store.
func EncodeContent(c switchboard.MessageContent) ([]byte, error) {
	s := storedContent{MessageContent: c}
	if c.Media != nil {
		s.WAMediaID = c.Media.WAMediaID
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode message content: %w", err)
	}
	return b, nil
}

// DecodeContent reverses EncodeContent.
func DecodeContent(b []byte) (switchboard.MessageContent, error) {
	var s storedContent
	if err := json.Unmarshal(b, &s); err != nil {
		return switchboard.MessageContent{}, fmt.Errorf("decode message content: %w", err)
	}
	if s.Media != nil {
		s.Media.WAMediaID = s.WAMediaID
	}
	return s.MessageContent, nil
}

// ChannelSecrets are the secrets of a channel, sealed together as one JSON
// blob under the channel's data key.
type ChannelSecrets struct {
	AccessToken string `json:"access_token"`
	AppSecret   string `json:"app_secret"`
	VerifyToken string `json:"verify_token"`
}

// cursorVersion prefixes every cursor so the format can change later.
const cursorVersion = "c1"

// EncodeCursor returns an opaque, URL-safe cursor for the keyset position
// (t, id). Stores that page by something else than time pass the zero time
// and put the key into id (a login, an audit sequence number).
func EncodeCursor(t time.Time, id string) string {
	var micros int64
	if !t.IsZero() {
		micros = t.UTC().Truncate(time.Microsecond).UnixMicro()
	}
	s := cursorVersion + "." + strconv.FormatInt(micros, 10) + "." + id
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeCursor reverses EncodeCursor. Anything else is an EInvalid
// "Invalid cursor." error.
func DecodeCursor(s string) (time.Time, string, error) {
	invalid := switchboard.Errorf(switchboard.EInvalid, "Invalid cursor.")
	if s == "" || len(s) > 1024 {
		return time.Time{}, "", invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", invalid
	}
	version, rest, ok := strings.Cut(string(b), ".")
	if !ok || version != cursorVersion {
		return time.Time{}, "", invalid
	}
	num, id, ok := strings.Cut(rest, ".")
	if !ok {
		return time.Time{}, "", invalid
	}
	micros, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return time.Time{}, "", invalid
	}
	var t time.Time
	if micros != 0 {
		t = time.UnixMicro(micros).UTC()
	}
	return t, id, nil
}

// NewBlindIndexKey returns a new random 32-byte blind-index key.
func NewBlindIndexKey() (raw []byte) {
	raw = make([]byte, seal.KeySize)
	rand.Read(raw) // crypto/rand.Read never fails since Go 1.24.
	return raw
}

// ContactWaIDHash is the blind index of a contact's WhatsApp id, unique per
// channel.
func (c *Codec) ContactWaIDHash(channelID, waID string) []byte {
	return c.Index.Exact("wa_id", channelID+":"+waID)
}

// ContactUserIDHash is the blind index of a contact's business-scoped user
// id (BSUID), unique per channel.
func (c *Codec) ContactUserIDHash(channelID, userID string) []byte {
	return c.Index.Exact("user_id", channelID+":"+userID)
}

// ContactKey is the wa_id_hash a new contact is stored under: the blind
// index of its phone number, or, for a customer known by BSUID alone, the
// same index of the BSUID. A BSUID ("US.1349…") never equals a phone
// number's digits, so the two cannot collide, and the unique index on
// (channel_id, wa_id_hash) keeps serialising concurrent first messages.
// Once the phone number of such a contact is known, the stores move
// wa_id_hash to the phone number's index.
func (c *Codec) ContactKey(channelID, waID, userID string) []byte {
	if waID != "" {
		return c.ContactWaIDHash(channelID, waID)
	}
	return c.ContactWaIDHash(channelID, userID)
}

// ContactTerms returns a contact's search terms: the words of its name and
// of its username (so "@mira.okafor" is found by "mira" or "okafor") and
// the digits of its phone number.
func (c *Codec) ContactTerms(name, username, waID string) []int64 {
	if username != "" {
		name += " " + username
	}
	return c.Index.ContactTerms(name, waID)
}

// OpenContactIDs decrypts the sealed BSUID, parent BSUID and username
// columns of contact ct (nil for NULL, which stays empty) into ct.
func (c *Codec) OpenContactIDs(ctx context.Context, keyID string, ct *switchboard.Contact, userID, parentUserID, username []byte) error {
	for _, f := range []struct {
		column string
		sealed []byte
		dst    *string
	}{{"user_id", userID, &ct.UserID}, {"parent_user_id", parentUserID, &ct.ParentUserID}, {"username", username, &ct.Username}} {
		if f.sealed == nil {
			continue
		}
		b, err := c.Open(ctx, keyID, "contacts", f.column, ct.ID, f.sealed)
		if err != nil {
			return err
		}
		*f.dst = string(b)
	}
	return nil
}

// WAMIDHash is the blind index of a WhatsApp message id, unique per channel,
// used to deduplicate webhook deliveries and to resolve replies and
// reactions.
func (c *Codec) WAMIDHash(channelID, wamid string) []byte {
	return c.Index.Exact("wamid", channelID+":"+wamid)
}

// SearchTerms returns the blind-index terms that a search query requires,
// with unusable queries reported as EInvalid.
func (c *Codec) SearchTerms(q string) ([]int64, error) {
	terms, err := c.Index.QueryTerms(q)
	if err != nil {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Invalid search query.")
	}
	return terms, nil
}

// HitText decrypts the text of a search hit: a note's text (thread_entries)
// or a message's (messages), sealed under keyID.
func (c *Codec) HitText(ctx context.Context, h *switchboard.SearchHit, keyID string, sealed []byte) (string, error) {
	if h.Kind == switchboard.HitNote {
		var s switchboard.EntrySealed
		if err := c.OpenJSON(ctx, keyID, "thread_entries", "body", h.ID, sealed, &s); err != nil {
			return "", err
		}
		return s.Text, nil
	}
	b, err := c.Open(ctx, keyID, "messages", "content", h.ID, sealed)
	if err != nil {
		return "", err
	}
	m, err := DecodeContent(b)
	if err != nil {
		return "", err
	}
	return m.Text, nil
}
