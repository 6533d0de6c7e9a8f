package storecrypt

import (
	"encoding/binary"
	"errors"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// MessageTerms returns the search terms of a stored message: the words of
// its text (body or caption). A revoked message has none.
func (c *Codec) MessageTerms(m *switchboard.Message) []int64 {
	if m.Revoked {
		return nil
	}
	return c.Index.TextTerms(m.Content.Text)
}

// NoteTerms returns the search terms of a thread entry: a note's words; an
// activity line has none.
func (c *Codec) NoteTerms(e *switchboard.ThreadEntry) []int64 {
	if e.Kind != switchboard.NoteEntry {
		return nil
	}
	return c.Index.TextTerms(e.Text)
}

// TextQueryTerms returns the terms of a message search, the driving one
// first, with unusable queries reported as EInvalid in words a user
// understands.
func (c *Codec) TextQueryTerms(q string) ([]int64, error) {
	terms, err := c.Index.TextQueryTerms(q)
	switch {
	case errors.Is(err, seal.ErrEmptyQuery):
		return nil, switchboard.Errorf(switchboard.EInvalid, "Search text needs at least one letter or digit.")
	case err != nil && len(q) > seal.MaxTextQueryBytes:
		return nil, switchboard.Errorf(switchboard.EInvalid, "Search text must be at most %d bytes.", seal.MaxTextQueryBytes)
	case err != nil:
		return nil, switchboard.Errorf(switchboard.EInvalid, "Search text may have at most %d words.", seal.MaxTextQueryWords)
	}
	return terms, nil
}

// EncodeTerms packs terms into the blob a row keeps of its own terms, so
// that deleting or re-indexing the row finds its index entries without
// decrypting it. An empty list is an empty, non-nil blob: NULL means "not
// indexed yet".
func EncodeTerms(terms []int64) []byte {
	b := make([]byte, 0, 8*len(terms))
	for _, t := range terms {
		b = binary.BigEndian.AppendUint64(b, uint64(t))
	}
	return b
}

// DecodeTerms reverses EncodeTerms.
func DecodeTerms(b []byte) []int64 {
	out := make([]int64, 0, len(b)/8)
	for ; len(b) >= 8; b = b[8:] {
		out = append(out, int64(binary.BigEndian.Uint64(b)))
	}
	return out
}
