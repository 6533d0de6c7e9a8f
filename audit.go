package switchboard

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
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
//
// This unkeyed hash is the chain's first format: anyone who can write the
// database can recompute it, so it only survives as the hash of entries
// written before the chain was keyed (see [AuditEntry.ComputeMAC]).
func (e *AuditEntry) ComputeHash(prev string) string {
	h := sha256.New()
	e.encode(h, "switchboard-audit-v1", prev)
	return hex.EncodeToString(h.Sum(nil))
}

// ComputeMAC returns the hex HMAC-SHA256 under key over prev and every
// field of e except Hash, in the same encoding as ComputeHash. The key is
// kept outside the database (the audit key file), so whoever can only
// write the database cannot forge an entry or recompute the chain after
// editing, deleting or renumbering one.
func (e *AuditEntry) ComputeMAC(key []byte, prev string) string {
	h := hmac.New(sha256.New, key)
	e.encode(h, "switchboard-audit-v2", prev)
	return hex.EncodeToString(h.Sum(nil))
}

// SealAudit sets e.PrevHash to prev and e.Hash to its MAC under key, or to
// the unkeyed hash when key is empty (stores opened without an audit key,
// as some tests do).
func SealAudit(e *AuditEntry, key []byte, prev string) {
	e.PrevHash = prev
	if len(key) == 0 {
		e.Hash = e.ComputeHash(prev)
		return
	}
	e.Hash = e.ComputeMAC(key, prev)
}

func (e *AuditEntry) encode(h hash.Hash, version, prev string) {
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(version)
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

// AuditAnchor records the chain's head at one moment, kept outside the
// database (a signed checkpoint file in the data directory and every backup
// manifest), so that deleting the newest entries or rewriting the chain is
// noticed: the chain must still hold entry Seq with exactly this Hash.
type AuditAnchor struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	// KeyedFrom is the first entry whose hash is a MAC (0: none yet).
	// Entries from it on must be keyed, so a chain cannot be rewritten
	// with unkeyed hashes and passed off as one written before the key.
	KeyedFrom int64 `json:"keyed_from,omitempty"`
}

// AuditVerification is what [VerifyAuditChain] found.
type AuditVerification struct {
	// Checked counts the entries whose hash matched; Legacy those of them
	// hashed without a key (written before the chain was keyed).
	Checked, Legacy int64
	// Head is the newest entry checked, as an anchor to store.
	Head AuditAnchor
	// Break is the first break, nil when the chain holds.
	Break *AuditBreak
}

// auditPage is how many entries VerifyAuditChain reads at a time.
const auditPage = 1000

// VerifyAuditChain walks the whole audit log with the audit key and checks
// it against the anchors (none when no anchor was written yet). It reports
// the first break: an entry whose MAC does not match its content and
// predecessor (an edit, or a deletion with renumbering), a gap in Seq (a
// deletion), an unkeyed entry after a keyed one or after an anchor's
// KeyedFrom (a rewrite without the key), or an anchored entry that is gone
// or differs (the newest entries deleted, or the chain replaced).
// Entries written after the newest anchor can only be checked for
// consistency among themselves: deleting them goes unnoticed until the
// next anchor is written, which is why serve writes one every minute.
func VerifyAuditChain(ctx context.Context, s AuditStore, key []byte, anchors ...AuditAnchor) (AuditVerification, error) {
	var v AuditVerification
	want := map[int64]AuditAnchor{}
	var keyedFrom int64
	for _, a := range anchors {
		if a.Seq > 0 {
			want[a.Seq] = a
		}
		if a.KeyedFrom > 0 && (keyedFrom == 0 || a.KeyedFrom < keyedFrom) {
			keyedFrom = a.KeyedFrom
		}
	}
	prev, after := "", int64(0)
	for {
		page, err := s.AuditChain(ctx, after, auditPage)
		if err != nil {
			return v, fmt.Errorf("read audit chain: %w", err)
		}
		for _, e := range page {
			brk := func(reason string) (AuditVerification, error) {
				v.Break = &AuditBreak{Seq: e.Seq, Reason: reason}
				return v, nil
			}
			if e.Seq != after+1 {
				return brk(fmt.Sprintf("entry %d is missing", after+1))
			}
			if e.PrevHash != prev {
				return brk("previous hash does not match")
			}
			keyed := len(key) > 0 && hmac.Equal([]byte(e.ComputeMAC(key, prev)), []byte(e.Hash))
			if !keyed {
				switch {
				case e.ComputeHash(prev) != e.Hash:
					return brk("content does not match its hash")
				case v.Head.KeyedFrom > 0 || (keyedFrom > 0 && e.Seq >= keyedFrom):
					return brk("entry is not keyed although the chain was keyed before it")
				}
				v.Legacy++
			} else if v.Head.KeyedFrom == 0 {
				v.Head.KeyedFrom = e.Seq
			}
			if a, ok := want[e.Seq]; ok && a.Hash != e.Hash {
				return brk(fmt.Sprintf("entry differs from the anchor of %s", a.At.UTC().Format(time.RFC3339)))
			}
			prev, after = e.Hash, e.Seq
			v.Checked++
			v.Head.Seq, v.Head.Hash, v.Head.At = e.Seq, e.Hash, e.At
		}
		if len(page) < auditPage {
			break
		}
	}
	for _, a := range anchors {
		if a.Seq > after {
			v.Break = &AuditBreak{Seq: after + 1, Reason: fmt.Sprintf(
				"entries %d to %d are missing: the anchor of %s records entry %d", after+1, a.Seq, a.At.UTC().Format(time.RFC3339), a.Seq)}
			return v, nil
		}
	}
	if v.Head.KeyedFrom == 0 {
		v.Head.KeyedFrom = keyedFrom
	}
	return v, nil
}
