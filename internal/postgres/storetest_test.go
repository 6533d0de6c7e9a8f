package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
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

// BenchmarkFirstPage lists the first page with its counts at 100,000
// conversations, the maintained counters against the full scan (the same
// body as SQLite's).
func BenchmarkFirstPage(b *testing.B) {
	db, schema := mustOpenSchema(b, storetest.MasterKey(b), nil)
	storetest.BenchFirstPage(b, db, func(tb testing.TB, copies int) {
		conn := connect(tb)
		ctx := context.Background()
		stmts := []string{
			`SET search_path TO ` + pgx.Identifier{schema}.Sanitize(),
			`CREATE TEMP TABLE seed_c AS SELECT * FROM conversations`,
			`CREATE TEMP TABLE seed_a AS SELECT * FROM conversation_assignees`,
			`BEGIN`,
		}
		for j := 1; j <= copies; j++ {
			stmts = append(stmts,
				fmt.Sprintf(`UPDATE seed_c SET id = left(id, 32) || lpad('%d', 5, '0'), status = 'resolved',
					updated_at = updated_at - interval '1 day', last_message_at = last_message_at - interval '1 day'`, j),
				`INSERT INTO conversations SELECT * FROM seed_c`,
				fmt.Sprintf(`UPDATE seed_a SET conversation_id = left(conversation_id, 32) || lpad('%d', 5, '0')`, j),
				`INSERT INTO conversation_assignees SELECT * FROM seed_a`)
		}
		stmts = append(stmts, `COMMIT`, `ANALYZE conversations`, `ANALYZE conversation_assignees`)
		for _, q := range stmts {
			if _, err := conn.Exec(ctx, q); err != nil {
				tb.Fatalf("%s: %v", q, err)
			}
		}
	})
}
