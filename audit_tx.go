package switchboard

import (
	"context"
	"sync"
)

// An audited action's success entry is written in the same transaction as
// the action, so that an action never commits without its entry: the
// service puts the entry on the context of the action's store call with
// [WithAuditEntry], and the store appends it, in the transaction that
// carries out the write, just before that transaction commits. An entry
// that cannot be appended (invalid, or the chain head cannot be read or
// locked) fails the write, which is rolled back. After the call the service
// asks [AuditEntryWritten]; for a store write that did not take the entry
// it appends it separately, as before.
//
// The entry goes with the first write under the context that commits, and
// only with it: later writes under the same context append nothing.
// Failure and denied entries, written when nothing was changed, are
// appended on their own with [AuditStore.AppendAudit].

type auditCtxKey struct{}

// pendingAudit is an entry on its way into the chain: pending until a write
// takes it, taken while that write's transaction is open, then written, or
// pending again if the transaction did not commit.
type pendingAudit struct {
	mu    sync.Mutex
	e     *AuditEntry
	state int  // auditPending, auditTaken, auditWritten
	skip  bool // the write under way changed nothing (SkipAuditEntry)
}

const (
	auditPending = iota
	auditTaken
	auditWritten
)

// WithAuditEntry returns a context carrying e, the success entry of the
// action that the next store write under it carries out.
func WithAuditEntry(ctx context.Context, e *AuditEntry) context.Context {
	return context.WithValue(ctx, auditCtxKey{}, &pendingAudit{e: e})
}

// TakeAuditEntry is for stores: it returns the entry that ctx carries and
// that no write has taken, or nil. A store that gets one must append it in
// the transaction of the write it is doing and call settle once that
// transaction's fate is known, with the entry as appended (Seq, PrevHash
// and Hash assigned) when it committed and nil when it did not (the entry
// is then pending again).
func TakeAuditEntry(ctx context.Context) (e *AuditEntry, settle func(appended *AuditEntry)) {
	p, _ := ctx.Value(auditCtxKey{}).(*pendingAudit)
	if p == nil {
		return nil, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.skip {
		p.skip = false
		return nil, nil
	}
	if p.state != auditPending {
		return nil, nil
	}
	p.state = auditTaken
	return p.e, func(appended *AuditEntry) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if appended == nil {
			p.state = auditPending
			return
		}
		*p.e = *appended
		p.state = auditWritten
	}
}

// SkipAuditEntry is for stores: a write that found nothing to change (an
// idempotent repeat, such as assigning a user who is already assigned)
// calls it from its transaction, and the entry ctx carries is not appended
// with it but stays pending. The store reports the no-op to the service,
// which then writes no entry either.
func SkipAuditEntry(ctx context.Context) {
	if p, _ := ctx.Value(auditCtxKey{}).(*pendingAudit); p != nil {
		p.mu.Lock()
		p.skip = true
		p.mu.Unlock()
	}
	// The event records staged on ctx ([WithEvents]) stay pending too.
	if p, _ := ctx.Value(eventsCtxKey{}).(*stagedEvents); p != nil {
		p.mu.Lock()
		p.skip = true
		p.mu.Unlock()
	}
}

// AddAuditDetail is for stores: a write adds to the entry ctx carries
// facts only it knows, such as how many rows it erased, before the entry
// is appended with it. It does nothing when ctx carries no pending entry.
func AddAuditDetail(ctx context.Context, detail map[string]string) {
	p, _ := ctx.Value(auditCtxKey{}).(*pendingAudit)
	if p == nil || len(detail) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != auditPending {
		return
	}
	d := make(map[string]string, len(p.e.Detail)+len(detail))
	for k, v := range p.e.Detail {
		d[k] = v
	}
	for k, v := range detail {
		d[k] = v
	}
	p.e.Detail = d
}

// AuditEntryWritten reports whether a store wrote the entry ctx carries
// (see [WithAuditEntry]) in a transaction that committed.
func AuditEntryWritten(ctx context.Context) bool {
	p, _ := ctx.Value(auditCtxKey{}).(*pendingAudit)
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state == auditWritten
}

// WithoutAuditEntry returns ctx without the entry WithAuditEntry put on it,
// for a write under it that must not take the entry (such as appending it
// separately).
// The staged event records ([WithEvents]) are left out with it.
func WithoutAuditEntry(ctx context.Context) context.Context {
	if ctx.Value(eventsCtxKey{}) != nil {
		ctx = context.WithValue(ctx, eventsCtxKey{}, (*stagedEvents)(nil))
	}
	if ctx.Value(auditCtxKey{}) == nil {
		return ctx
	}
	return context.WithValue(ctx, auditCtxKey{}, (*pendingAudit)(nil))
}
