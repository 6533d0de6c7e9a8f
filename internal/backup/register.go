package backup

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/switchboardhq/switchboard"
)

// RegisterName is the file next to the backups that holds the GDPR erasure
// register: one JSON object (contact id, time, actor id) per line, then a
// signature line. It is kept beside the backups, not only inside them, so
// that restoring an older backup, even into an empty database on a new
// server, can erase again every contact erased since (docs/gdpr.md). List
// never returns it and pruning never deletes it.
//
// The last line signs every byte before it with a subkey of the backup
// key:
//
//	{"signature":"hmac-sha256:<64 hex digits>","key_id":"bk_<16 hex digits>"}
//
// Someone who can write to the bucket but does not hold the backup key
// can therefore not remove an erasure from the register, which would let a
// restore bring the erased contact back without anyone noticing. (They can
// still delete the whole file or put back an older signed one; docs/gdpr.md
// says what that means.)
const RegisterName = "erasures.jsonl"

// ErrRegisterSignature is returned for an erasure register whose signature
// line is missing, malformed, made with another backup key or does not
// match its lines. A restore must not go on without the erasures such a
// register may have lost.
var ErrRegisterSignature = errors.New("backup: erasure register fails its signature check")

// registerSigPrefix names the MAC in the signature line, so a later
// version can change it and be told apart.
const registerSigPrefix = "hmac-sha256:"

// maxRegister bounds how much of a register is read into memory: about two
// million erasures.
const maxRegister = 256 << 20

// registerSignature is the register's last line.
type registerSignature struct {
	Signature string `json:"signature"`
	KeyID     string `json:"key_id"`
}

// EncodeRegister returns the register as JSON lines followed by a
// signature line made with key.
func EncodeRegister(reg []switchboard.Erasure, key *Key) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range reg {
		if err := enc.Encode(e); err != nil {
			return nil, err
		}
	}
	sig := registerSignature{Signature: registerSigPrefix + hex.EncodeToString(key.registerMAC(buf.Bytes())), KeyID: key.ID()}
	if err := enc.Encode(sig); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeRegister parses a register written by EncodeRegister after
// checking its signature with key; a failed check is an error wrapping
// [ErrRegisterSignature]. An empty input is an empty register, as is a
// missing file (deleting the file is no more than emptying it).
func DecodeRegister(r io.Reader, key *Key) ([]switchboard.Erasure, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRegister+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxRegister {
		return nil, fmt.Errorf("erasure register is larger than %d bytes", maxRegister)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	lines, last := data[:0], bytes.TrimSuffix(data, []byte("\n"))
	if i := bytes.LastIndexByte(last, '\n'); i >= 0 {
		lines, last = data[:i+1], last[i+1:]
	}
	var sig registerSignature
	if err := json.Unmarshal(last, &sig); err != nil || sig.Signature == "" || sig.KeyID == "" {
		return nil, fmt.Errorf("%w: its last line is not a signature (the file is unsigned or was cut short)", ErrRegisterSignature)
	}
	if sig.KeyID != key.ID() {
		return nil, fmt.Errorf("%w: it is signed with backup key %q, not with this backup key %q", ErrRegisterSignature, sig.KeyID, key.ID())
	}
	mac, err := hex.DecodeString(strings.TrimPrefix(sig.Signature, registerSigPrefix))
	if err != nil || !strings.HasPrefix(sig.Signature, registerSigPrefix) {
		return nil, fmt.Errorf("%w: the signature is not %s<hex>", ErrRegisterSignature, registerSigPrefix)
	}
	if !hmac.Equal(mac, key.registerMAC(lines)) {
		return nil, fmt.Errorf("%w: the signature does not match its lines (they were changed, removed or added after it was written)", ErrRegisterSignature)
	}
	var reg []switchboard.Erasure
	n := 0
	for line := range bytes.Lines(lines) {
		n++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var e switchboard.Erasure
		if err := json.Unmarshal(line, &e); err != nil || !switchboard.ValidID(e.ContactID) {
			return nil, fmt.Errorf("erasure register line %d is not an erasure", n)
		}
		reg = append(reg, e)
	}
	return reg, nil
}

// WriteRegister replaces the register in loc with reg, signed with key
// (atomically: a directory renames a synced temporary file, a bucket
// completes an upload).
func WriteRegister(ctx context.Context, loc Location, reg []switchboard.Erasure, key *Key) error {
	b, err := EncodeRegister(reg, key)
	if err != nil {
		return err
	}
	up, err := loc.Create(ctx, RegisterName)
	if err != nil {
		return fmt.Errorf("write erasure register: %w", err)
	}
	if _, err := up.Write(b); err != nil {
		up.Abort()
		return fmt.Errorf("write erasure register: %w", err)
	}
	if err := up.Commit(); err != nil {
		return fmt.Errorf("write erasure register: %w", err)
	}
	return nil
}

// ReadRegister reads the register in loc and checks its signature with
// key; a location without one has an empty register. Other errors, which
// name the file, are returned: a restore must not silently skip erasures
// because the bucket was unreachable or the register was tampered with.
func ReadRegister(ctx context.Context, loc Location, key *Key) ([]switchboard.Erasure, error) {
	where := strings.TrimSuffix(loc.String(), "/") + "/" + RegisterName
	rc, err := loc.Open(ctx, RegisterName)
	if err != nil {
		if isNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read erasure register %s: %w", where, err)
	}
	defer rc.Close()
	reg, err := DecodeRegister(rc, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return reg, nil
}

// isNotExist reports a missing file or object.
func isNotExist(err error) bool {
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	var er minio.ErrorResponse
	return errors.As(err, &er) && (er.Code == "NoSuchKey" || er.StatusCode == 404)
}
