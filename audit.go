package switchboard

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Audit outcomes. Every audit entry has one of them.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure" // e.g. a wrong password
	OutcomeDenied  = "denied"  // not permitted
)

// ErrAuditIncomplete refuses an audit entry without an action or an outcome.
var ErrAuditIncomplete = &Error{Code: EInvalid, Message: "Audit entries need an action and an outcome."}

// AuditEntry records one user action. It never holds customer plaintext:
// objects are named by id. Entries form a hash chain: each stores the hash of
// the one before, so editing or deleting one breaks every later hash.
type AuditEntry struct {
	Seq        int64             `json:"seq"`
	At         time.Time         `json:"at"`
	ActorID    string            `json:"actor_id"`
	ActorLogin string            `json:"actor_login"`
	Action     string            `json:"action"`
	ObjectType string            `json:"object_type"`
	ObjectID   string            `json:"object_id"`
	Outcome    string            `json:"outcome"`
	IP         string            `json:"ip"`
	UserAgent  string            `json:"user_agent"`
	Detail     map[string]string `json:"detail,omitempty"`
	PrevHash   string            `json:"prev_hash"`
	Hash       string            `json:"hash"`
}

// Validate checks an entry before it is appended: an entry records what
// was done (Action) and what came of it (one of the Outcome values), so the
// stores refuse one without either.
func (e *AuditEntry) Validate() error {
	if e.Action == "" || e.Outcome == "" {
		return ErrAuditIncomplete
	}
	switch e.Outcome {
	case OutcomeSuccess, OutcomeFailure, OutcomeDenied:
		return nil
	}
	return Errorf(EInvalid, "Unknown audit outcome %q.", e.Outcome)
}

// ComputeHash returns the hex SHA-256 over prev and every field of e except
// Hash, in an unambiguous length-prefixed encoding. At is hashed at
// microsecond precision, which both stores keep exactly.
func (e *AuditEntry) ComputeHash(prev string) string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field("switchboard-audit-v1")
	field(prev)
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	for _, s := range []string{e.ActorID, e.ActorLogin, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.IP, e.UserAgent} {
		field(s)
	}
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	field(strconv.Itoa(len(keys)))
	for _, k := range keys {
		field(k)
		field(e.Detail[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	ActorID    string
	Action     string
	ObjectType string
	ObjectID   string
	// ObjectIDs, when not empty, matches entries about any of these
	// objects (at most MaxAuditObjectIDs), e.g. all of one contact's
	// messages for an export.
	ObjectIDs []string
	Since     time.Time
	Until     time.Time
	Cursor    string
	Limit     int
}

// MaxAuditObjectIDs bounds AuditFilter.ObjectIDs.
const MaxAuditObjectIDs = 500

// AuditStore appends and reads the audit log.
type AuditStore interface {
	// AppendAudit assigns e.Seq, e.PrevHash and e.Hash and appends e, all
	// under one lock so the chain has no forks.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, string, error)
	// AuditChain returns up to limit entries with Seq > after, oldest first.
	AuditChain(ctx context.Context, after int64, limit int) ([]*AuditEntry, error)
}

// AuditBreak names the first entry whose hash does not match the chain.
type AuditBreak struct {
	Seq    int64
	Reason string
}

// VerifyAuditChain walks the whole audit log and returns the first break, or
// nil when every entry's hash matches its content and predecessor. It also
// notices deleted entries (a gap in Seq).
func VerifyAuditChain(ctx context.Context, s AuditStore) (checked int64, brk *AuditBreak, err error) {
	prev, after := "", int64(0)
	for {
		page, err := s.AuditChain(ctx, after, 1000)
		if err != nil {
			return checked, nil, fmt.Errorf("read audit chain: %w", err)
		}
		for _, e := range page {
			switch {
			case e.Seq != after+1:
				return checked, &AuditBreak{Seq: e.Seq, Reason: fmt.Sprintf("entry %d is missing", after+1)}, nil
			case e.PrevHash != prev:
				return checked, &AuditBreak{Seq: e.Seq, Reason: "previous hash does not match"}, nil
			case e.ComputeHash(prev) != e.Hash:
				return checked, &AuditBreak{Seq: e.Seq, Reason: "content does not match its hash"}, nil
			}
			prev, after = e.Hash, e.Seq
			checked++
		}
		if len(page) < 1000 {
			return checked, nil, nil
		}
	}
}
