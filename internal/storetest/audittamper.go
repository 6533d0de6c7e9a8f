package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// AuditKey is the audit chain key the suite's stores are opened with
// (Options.AuditKey of both stores).
var AuditKey = []byte("storetest audit chain key 32 by!")

// AuditRewriter replaces a store's whole audit log with entries exactly as
// given (seq, hashes and all), straight in the database: what someone who
// can write the database, but has no audit key, can do.
type AuditRewriter func(tb testing.TB, s switchboard.Store, entries []*switchboard.AuditEntry)

// RunAuditTamper attacks the audit chain of a store opened with AuditKey
// in the three ways security review finding 7 reproduced (edit and
// recompute, delete the newest entries, delete a middle entry and
// renumber), plus a rewrite of the whole chain without keys, and checks
// that VerifyAuditChain names each one.
func RunAuditTamper(t *testing.T, open Opener, rewrite AuditRewriter) {
	const n = 40
	setup := func(t *testing.T) (switchboard.Store, []*switchboard.AuditEntry, switchboard.AuditAnchor) {
		s := open(t)
		for i := range n {
			must(t, s.AppendAudit(ctx(), &switchboard.AuditEntry{At: T0.Add(time.Duration(i) * time.Minute), ActorID: "u1",
				ActorLogin: "anna", Action: "user.update", ObjectType: "user", ObjectID: fmt.Sprintf("u%d", i),
				Outcome: switchboard.OutcomeSuccess, Detail: map[string]string{"i": fmt.Sprint(i)}}))
		}
		chain, err := s.AuditChain(ctx(), 0, 1000)
		must(t, err)
		v, err := switchboard.VerifyAuditChain(ctx(), s, AuditKey)
		must(t, err)
		if v.Break != nil || v.Checked != n || v.Legacy != 0 || v.Head.Seq != n || v.Head.KeyedFrom != 1 {
			t.Fatalf("untouched chain: %+v, break %+v", v, v.Break)
		}
		return s, chain, v.Head
	}
	// recompute re-chains entries from index from on the way an attacker
	// without the key can: the unkeyed hash, or a MAC under a guessed key.
	recompute := func(es []*switchboard.AuditEntry, from int, key []byte) {
		prev := ""
		if from > 0 {
			prev = es[from-1].Hash
		}
		for _, e := range es[from:] {
			switchboard.SealAudit(e, key, prev)
			prev = e.Hash
		}
	}
	wantBreak := func(t *testing.T, s switchboard.Store, seq int64, anchors ...switchboard.AuditAnchor) {
		t.Helper()
		v, err := switchboard.VerifyAuditChain(ctx(), s, AuditKey, anchors...)
		must(t, err)
		if v.Break == nil || v.Break.Seq != seq {
			t.Fatalf("VerifyAuditChain = %+v, break %+v; want a break at entry %d", v, v.Break, seq)
		}
	}

	for _, guess := range []struct {
		name string
		key  []byte
	}{{"unkeyed", nil}, {"guessed key", []byte("not the audit key")}} {
		t.Run("EditAndRecompute/"+guess.name, func(t *testing.T) {
			s, es, head := setup(t)
			es[9].ObjectID = "someone-else"
			recompute(es, 9, guess.key)
			rewrite(t, s, es)
			wantBreak(t, s, 10)
			wantBreak(t, s, 10, head)
		})
		t.Run("DeleteMiddleAndRenumber/"+guess.name, func(t *testing.T) {
			s, es, head := setup(t)
			es = append(es[:19], es[20:]...)
			for i, e := range es {
				e.Seq = int64(i + 1)
			}
			recompute(es, 19, guess.key)
			rewrite(t, s, es)
			wantBreak(t, s, 20)
			wantBreak(t, s, 20, head)
		})
	}
	t.Run("DeleteMiddleAndRenumberKeepingMACs", func(t *testing.T) {
		s, es, _ := setup(t)
		es = append(es[:19], es[20:]...)
		for i, e := range es {
			e.Seq = int64(i + 1)
		}
		rewrite(t, s, es)
		wantBreak(t, s, 20)
	})
	t.Run("DeleteNewest", func(t *testing.T) {
		s, es, head := setup(t)
		rewrite(t, s, es[:n-30])
		// The remaining entries are consistent among themselves: only the
		// anchor kept outside the database shows that 30 are gone.
		v, err := switchboard.VerifyAuditChain(ctx(), s, AuditKey)
		must(t, err)
		if v.Break != nil || v.Checked != n-30 {
			t.Fatalf("truncated chain without an anchor: %+v, break %+v", v, v.Break)
		}
		wantBreak(t, s, n-30+1, head)
		// Deleting all of them is noticed too.
		rewrite(t, s, nil)
		wantBreak(t, s, 1, head)
	})
	t.Run("RewriteUnkeyed", func(t *testing.T) {
		s, es, head := setup(t)
		recompute(es, 0, nil)
		rewrite(t, s, es)
		// Without an anchor the chain passes as written before the key
		// (the upgrade path), but not once any anchor recorded the key.
		v, err := switchboard.VerifyAuditChain(ctx(), s, AuditKey)
		must(t, err)
		if v.Break != nil || v.Legacy != n {
			t.Fatalf("unkeyed chain without an anchor: %+v, break %+v", v, v.Break)
		}
		wantBreak(t, s, 1, switchboard.AuditAnchor{Seq: 1, Hash: es[0].Hash, KeyedFrom: head.KeyedFrom})
	})
	t.Run("UnkeyedAfterKeyed", func(t *testing.T) {
		s, es, _ := setup(t)
		recompute(es, 30, nil)
		rewrite(t, s, es)
		wantBreak(t, s, 31)
	})
}
