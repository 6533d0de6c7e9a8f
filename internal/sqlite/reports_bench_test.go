package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// BenchmarkReportsMillion measures every report endpoint over a year of
// 100,000 conversations and 1,000,000 messages (nine customer messages and
// one employee reply each, priced, half of them closed by an employee, half
// assigned, a fifth handed to a bot and back to people), inserted in bulk with SQL, not through the store: from the
// facts and from the rollups in the same run (docs/benchmarks.md,
// "Reports at a million messages"). SWITCHBOARD_BENCH_REPORT_CONVERSATIONS
// changes the number of conversations.
func BenchmarkReportsMillion(b *testing.B) {
	convs := 100_000
	if v, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_REPORT_CONVERSATIONS")); err == nil && v > 0 {
		convs = v
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &storetest.ManualClock{}
	clock.Set(start.Add(-time.Hour))
	path := filepath.Join(b.TempDir(), "switchboard.db")
	master := storetest.MasterKey(b)
	open := func() *sqlite.DB {
		db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: master, Migrate: true, Clock: clock})
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	db := open()
	ch, users, seed := storetest.BenchReportSeed(b, db, start.Add(-time.Hour))
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	bulkReportFacts(b, path, convs, start, ch, users, seed)
	b.Logf("bulk-inserted %d conversations and %d messages in %v", convs, convs*10, time.Since(t0).Round(time.Millisecond))
	// The store's clock, which the rollup marks follow, after the facts.
	clock.Set(start.AddDate(1, 0, 1))
	db = open()
	b.Cleanup(func() { db.Close() })
	storetest.BenchReportEndpoints(b, db, users, start.AddDate(0, 0, 364))
}

// bulkReportFacts writes the benchmark's facts with a few INSERT … SELECT
// statements over a recursive counter.
func bulkReportFacts(b *testing.B, path string, convs int, start time.Time, ch *switchboard.Channel, users []*switchboard.User, seed *switchboard.Conversation) {
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var uv []string
	for i, u := range users {
		uv = append(uv, fmt.Sprintf("(%d, '%s')", i, u.ID))
	}
	step := int64(365*24*time.Hour/time.Microsecond) / int64(convs) // spread over the year
	t0 := start.UnixMicro()
	var keyID, contactID string
	if err := raw.QueryRow(`SELECT key_id, contact_id FROM conversations WHERE id = ?`, seed.ID).Scan(&keyID, &contactID); err != nil {
		b.Fatal(err)
	}
	stmts := []string{
		`CREATE TEMP TABLE bu (n INTEGER PRIMARY KEY, id TEXT)`,
		`INSERT INTO bu VALUES ` + strings.Join(uv, ", "),
		`CREATE TEMP TABLE bc AS WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ` + strconv.Itoa(convs) + `)
			SELECT n, 'bconv' || n AS id, 'bcont' || n AS contact, ` + strconv.FormatInt(t0, 10) + ` + n * ` + strconv.FormatInt(step, 10) + ` AS at,
				(SELECT id FROM bu WHERE bu.n = i.n % 10) AS agent FROM i`,
		`INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, name, created_at, updated_at)
			SELECT contact, '` + ch.ID + `', '` + keyID + `', CAST(contact AS BLOB), x'00', x'00', at, at FROM bc`,
		`INSERT INTO conversations (id, channel_id, contact_id, status, key_id, inbound_count, created_at, updated_at)
			SELECT id, '` + ch.ID + `', contact, CASE WHEN n % 2 = 0 THEN 'resolved' ELSE 'open' END, '` + keyID + `', 9, at, at FROM bc`,
		`INSERT INTO messages (id, conversation_id, key_id, direction, type, status, content, sender_id, ts, created_at, updated_at)
			SELECT 'bmsg' || bc.n || '-' || j.j, bc.id, '` + keyID + `', 'in', 'text', 'received', x'00', '',
				bc.at + j.j * 10000000, bc.at + j.j * 10000000, bc.at + j.j * 10000000
			FROM bc, (WITH RECURSIVE j(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM j WHERE j < 8) SELECT j FROM j) j`,
		`INSERT INTO messages (id, conversation_id, key_id, direction, type, status, content, sender_id, ts, created_at, updated_at, pricing)
			SELECT 'bmsg' || n || '-out', id, '` + keyID + `', 'out', 'text', CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'delivered' END,
				x'00', agent, at + 120000000 + (n % 600) * 1000000, at + 120000000 + (n % 600) * 1000000, at + 120000000 + (n % 600) * 1000000,
				CASE WHEN n % 50 = 0 THEN NULL
					WHEN n % 4 = 0 THEN '{"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular"}'
					WHEN n % 4 = 1 THEN '{"billable":true,"pricing_model":"PMP","category":"utility","type":"regular"}'
					ELSE '{"billable":false,"pricing_model":"PMP","category":"service","type":"free_customer_service"}' END FROM bc`,
		// A fifth of the conversations went to a bot, which handed them to
		// people for one of three reasons.
		`INSERT INTO handoffs (id, conversation_id, channel_id, at, to_handler, reason)
			SELECT 'bho' || n, id, '` + ch.ID + `', at, 'bot', 'opened' FROM bc WHERE n % 5 = 0`,
		`INSERT INTO handoffs (id, conversation_id, channel_id, at, to_handler, reason)
			SELECT 'bhh' || n, id, '` + ch.ID + `', at + 60000000, 'human',
				CASE n % 3 WHEN 0 THEN 'customer_asked' WHEN 1 THEN 'other' ELSE 'person_replied' END FROM bc WHERE n % 5 = 0`,
		`UPDATE messages SET error_code = 131047 WHERE status = 'failed' AND id LIKE 'bmsg%'`,
		`INSERT INTO audit_log (at, actor_id, actor_login, action, object_type, object_id, outcome, detail, prev_hash, hash)
			SELECT at + 3600000000, agent, 'bench', 'conversation.status', 'conversation', id, 'success', '{"status":"closed"}', '', '' FROM bc WHERE n % 2 = 0`,
		`INSERT INTO audit_log (at, actor_id, actor_login, action, object_type, object_id, outcome, detail, prev_hash, hash)
			SELECT at + 60000000, agent, 'bench', 'conversation.assign', 'conversation', id, 'success', '{"user_id":"' || agent || '"}', '', '' FROM bc WHERE n % 2 = 1`,
		`INSERT INTO audit_log (at, actor_id, actor_login, action, object_type, object_id, outcome, detail, prev_hash, hash)
			SELECT at, agent, 'bench', 'session.login', 'user', agent, 'success', '{}', '', '' FROM bc WHERE n % 100 = 0`,
		`ANALYZE`,
	}
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
}
