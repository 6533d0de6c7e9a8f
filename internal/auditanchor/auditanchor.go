// Package auditanchor keeps the audit chain's key and its anchor outside
// the database: the audit key file and a signed checkpoint file recording
// the chain's head (docs/security.md, "Audit log").
package auditanchor

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fsutil"
	"github.com/switchboardhq/switchboard/internal/seal"
)

var (
	// ErrMalformedKey is returned for an audit key file that cannot be
	// parsed. Such a file is never overwritten.
	ErrMalformedKey = errors.New("auditanchor: malformed audit key file")
	// ErrInsecureKey is returned for a key file readable or writable by
	// group or others.
	ErrInsecureKey = errors.New("auditanchor: audit key file permissions are too open")
	// ErrBadCheckpoint is returned for a checkpoint file whose signature
	// does not match (edited, or signed with another key).
	ErrBadCheckpoint = errors.New("auditanchor: checkpoint signature does not match")
	// ErrBehind is returned by Advance when the chain no longer reaches
	// the checkpoint: entries were deleted or rewritten.
	ErrBehind = errors.New("auditanchor: audit chain does not match its checkpoint")
)

// keyFile is the audit key file, in the layout of the master key file:
//
//	switchboard-audit-key v1
//	id: ak_<16 hex chars>
//	key: <32 bytes, standard base64>
var keyFile = seal.KeyFile{Header: "switchboard-audit-key v1", IDPrefix: "ak_", Name: "audit key",
	Malformed: ErrMalformedKey, Insecure: ErrInsecureKey}

// Key is the audit key: Chain keys the entries' MACs (given to the
// store), and a subkey derived from it signs the checkpoint file.
type Key struct {
	ID         string
	Chain      []byte
	checkpoint []byte
}

// checkpointInfo is the HKDF info of the checkpoint file's MAC key.
const checkpointInfo = "switchboard audit checkpoint v1"

// newKey builds a Key from a key file's id and raw bytes.
func newKey(id string, raw []byte) (*Key, error) {
	chain, err := hkdf.Key(sha256.New, raw, nil, "switchboard audit chain v1", sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	cp, err := hkdf.Key(sha256.New, raw, nil, checkpointInfo, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	return &Key{ID: id, Chain: chain, checkpoint: cp}, nil
}

// LoadOrCreateKey loads the audit key file at path, or creates one with a
// new random key (mode 0600) if none exists; created reports a new key.
func LoadOrCreateKey(path string) (k *Key, created bool, err error) {
	id, raw, created, err := keyFile.LoadOrCreate(path)
	if err != nil {
		return nil, false, err
	}
	k, err = newKey(id, raw)
	clear(raw)
	return k, created, err
}

// LoadKey loads an existing audit key file.
func LoadKey(path string) (*Key, error) {
	id, raw, err := keyFile.Load(path)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	return newKey(id, raw)
}

// checkpointFile is the checkpoint file's JSON shape.
type checkpointFile struct {
	Format int                     `json:"format"`
	KeyID  string                  `json:"key_id"`
	Anchor switchboard.AuditAnchor `json:"anchor"`
	MAC    string                  `json:"mac"`
}

func (k *Key) mac(a switchboard.AuditAnchor) string {
	h := hmac.New(sha256.New, k.checkpoint)
	for _, s := range []string{"switchboard-audit-checkpoint-v1", k.ID, strconv.FormatInt(a.Seq, 10), a.Hash,
		a.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), strconv.FormatInt(a.KeyedFrom, 10)} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ReadCheckpoint reads and checks the checkpoint at path. A missing file is
// an error wrapping fs.ErrNotExist.
func (k *Key) ReadCheckpoint(path string) (switchboard.AuditAnchor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return switchboard.AuditAnchor{}, err
	}
	var f checkpointFile
	if err := json.Unmarshal(data, &f); err != nil || f.Format != 1 {
		return switchboard.AuditAnchor{}, fmt.Errorf("%w: %s is not a checkpoint file", ErrBadCheckpoint, path)
	}
	if f.KeyID != k.ID || !hmac.Equal([]byte(f.MAC), []byte(k.mac(f.Anchor))) {
		return switchboard.AuditAnchor{}, fmt.Errorf("%w: %s", ErrBadCheckpoint, path)
	}
	return f.Anchor, nil
}

// WriteCheckpoint replaces the checkpoint at path with a (mode 0600,
// written to a temporary file and renamed).
func (k *Key) WriteCheckpoint(path string, a switchboard.AuditAnchor) error {
	a.At = a.At.UTC().Truncate(time.Microsecond)
	data, err := json.MarshalIndent(checkpointFile{Format: 1, KeyID: k.ID, Anchor: a, MAC: k.mac(a)}, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, append(data, '\n'), 0o600)
}

// Advance verifies the chain against the checkpoint at path and, when it
// holds, moves the checkpoint to the chain's head. It never moves the
// checkpoint back: a chain that lost or changed anchored entries returns
// an error wrapping ErrBehind and leaves the file as it is, so the
// evidence stays for `switchboard audit verify`.
//
// Advance reads the whole chain; at one entry per user action that is
// cheap at the minute intervals serve uses.
func (k *Key) Advance(ctx context.Context, s switchboard.AuditStore, path string) (switchboard.AuditVerification, error) {
	var anchors []switchboard.AuditAnchor
	old, err := k.ReadCheckpoint(path)
	switch {
	case err == nil:
		anchors = append(anchors, old)
	case !errors.Is(err, fs.ErrNotExist):
		return switchboard.AuditVerification{}, err
	}
	v, err := switchboard.VerifyAuditChain(ctx, s, k.Chain, anchors...)
	if err != nil {
		return v, err
	}
	if v.Break != nil {
		return v, fmt.Errorf("%w: entry %d: %s", ErrBehind, v.Break.Seq, v.Break.Reason)
	}
	if v.Head.Seq == 0 || (len(anchors) > 0 && v.Head.Seq == old.Seq && v.Head.Hash == old.Hash) {
		return v, nil
	}
	return v, k.WriteCheckpoint(path, v.Head)
}
