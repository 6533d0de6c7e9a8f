package backup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/minio/minio-go/v7"

	"github.com/switchboardhq/switchboard"
)

// RegisterName is the file next to the backups that holds the GDPR erasure
// register: one JSON object (contact id, time, actor id) per line. It is
// kept beside the backups, not only inside them, so that restoring an older
// backup, even into an empty database on a new server, can erase again
// every contact erased since (docs/gdpr.md). List never returns it and
// pruning never deletes it.
const RegisterName = "erasures.jsonl"

// EncodeRegister returns the register as JSON lines.
func EncodeRegister(reg []switchboard.Erasure) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range reg {
		if err := enc.Encode(e); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// DecodeRegister parses JSON lines written by EncodeRegister.
func DecodeRegister(r io.Reader) ([]switchboard.Erasure, error) {
	var reg []switchboard.Erasure
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e switchboard.Erasure
		if err := json.Unmarshal(line, &e); err != nil || !switchboard.ValidID(e.ContactID) {
			return nil, fmt.Errorf("erasure register line %d is not an erasure", n)
		}
		reg = append(reg, e)
	}
	return reg, sc.Err()
}

// WriteRegister replaces the register in loc (atomically: a directory
// renames a synced temporary file, a bucket completes an upload).
func WriteRegister(ctx context.Context, loc Location, reg []switchboard.Erasure) error {
	b, err := EncodeRegister(reg)
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

// ReadRegister reads the register in loc; a location without one has an
// empty register. Other errors are returned: a restore must not silently
// skip erasures because the bucket was unreachable.
func ReadRegister(ctx context.Context, loc Location) ([]switchboard.Erasure, error) {
	rc, err := loc.Open(ctx, RegisterName)
	if err != nil {
		if isNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read erasure register: %w", err)
	}
	defer rc.Close()
	return DecodeRegister(rc)
}

// isNotExist reports a missing file or object.
func isNotExist(err error) bool {
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	var er minio.ErrorResponse
	return errors.As(err, &er) && (er.Code == "NoSuchKey" || er.StatusCode == 404)
}
