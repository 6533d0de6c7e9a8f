package postgres_test

import (
	"fmt"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestStore runs the conformance suite shared with internal/sqlite.
func TestStore(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) switchboard.Store {
		db, _ := mustOpenSchema(tb, storetest.MasterKey(tb), nil)
		return db
	})
}

func BenchmarkReceiveMessage(b *testing.B) {
	storetest.BenchReceiveMessage(b, MustOpenDB(b))
}

func BenchmarkReceiveMessageParallel(b *testing.B) {
	storetest.BenchReceiveMessageParallel(b, MustOpenDB(b))
}

func BenchmarkConversations(b *testing.B) {
	storetest.BenchConversations(b, MustOpenDB(b))
}

func BenchmarkCountConversations(b *testing.B) {
	storetest.BenchCountConversations(b, MustOpenDB(b))
}

// BenchmarkReceiveBatch applies batches of webhook messages from returning
// customers, as the ingest worker does (the same body as SQLite's).
func BenchmarkReceiveBatch(b *testing.B) {
	for _, n := range []int{1, 8, 32, 128} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { storetest.BenchReceiveBatch(b, MustOpenDB(b), n) })
	}
}
