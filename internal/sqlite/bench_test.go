package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

func BenchmarkReceiveMessage(b *testing.B) {
	b.Run("serial", func(b *testing.B) { storetest.BenchReceiveMessage(b, mustOpen(b)) })
	b.Run("parallel", func(b *testing.B) { storetest.BenchReceiveMessageParallel(b, mustOpen(b)) })
}

func BenchmarkConversations(b *testing.B) {
	storetest.BenchConversations(b, mustOpen(b))
}

func BenchmarkEnqueueWebhook(b *testing.B) {
	storetest.BenchEnqueueWebhook(b, mustOpen(b))
}

func BenchmarkApplyStatus(b *testing.B) {
	storetest.BenchApplyStatus(b, mustOpen(b))
}

func BenchmarkReceiveBatch(b *testing.B) {
	for _, n := range []int{1, 8, 32, 128} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { storetest.BenchReceiveBatch(b, mustOpen(b), n) })
	}
}

func BenchmarkDeleteExpired(b *testing.B) {
	storetest.BenchDeleteExpired(b, mustOpen(b))
}

func BenchmarkCountConversations(b *testing.B) {
	storetest.BenchCountConversations(b, mustOpen(b))
}

// BenchmarkClaimWebhooks compares a claim bounded by count only (the
// behaviour before the byte budget) with one under 2 MB of bodies.
func BenchmarkClaimWebhooks(b *testing.B) {
	b.Run("count-only", func(b *testing.B) { storetest.BenchClaimWebhooks(b, mustOpen(b), math.MaxInt64) })
	b.Run("2MB", func(b *testing.B) { storetest.BenchClaimWebhooks(b, mustOpen(b), 2<<20) })
}

// BenchmarkFirstPage lists the first page with its counts at 100,000
// conversations, the maintained counters against the full scan.
func BenchmarkFirstPage(b *testing.B) {
	path := filepath.Join(b.TempDir(), "switchboard.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(b), Migrate: true, AuditKey: storetest.AuditKey})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.BenchFirstPage(b, db, func(tb testing.TB, copies int) {
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			tb.Fatal(err)
		}
		defer raw.Close()
		raw.SetMaxOpenConns(1) // the temporary tables live on one connection
		stmts := []string{
			`CREATE TEMP TABLE seed_c AS SELECT * FROM conversations`,
			`CREATE TEMP TABLE seed_a AS SELECT * FROM conversation_assignees`,
			`BEGIN IMMEDIATE`,
		}
		for j := 1; j <= copies; j++ {
			stmts = append(stmts,
				fmt.Sprintf(`UPDATE seed_c SET id = substr(id, 1, 32) || printf('%%05d', %d), status = 'resolved',
					updated_at = updated_at - 86400000000, last_message_at = last_message_at - 86400000000`, j),
				`INSERT INTO conversations SELECT * FROM seed_c`,
				fmt.Sprintf(`UPDATE seed_a SET conversation_id = substr(conversation_id, 1, 32) || printf('%%05d', %d)`, j),
				`INSERT INTO conversation_assignees SELECT * FROM seed_a`)
		}
		stmts = append(stmts, `COMMIT`)
		for _, q := range stmts {
			if _, err := raw.Exec(q); err != nil {
				tb.Fatalf("%s: %v", q, err)
			}
		}
	})
}

// BenchmarkNewCustomers receives a first message from
// SWITCHBOARD_BENCH_CUSTOMERS new customers (default 20,000) and reports
// the CPU per first message and the database's size: bytes per
// conversation in all, and in the contact search terms (tables and
// indexes, from dbstat), after a truncating checkpoint.
func BenchmarkNewCustomers(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	path := filepath.Join(b.TempDir(), "switchboard.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(b), Migrate: true, AuditKey: storetest.AuditKey})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.BenchNewCustomers(b, db, n, func(b *testing.B) {
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		var total, terms int64
		if err := raw.QueryRow(`SELECT page_count * page_size FROM pragma_page_count, pragma_page_size`).Scan(&total); err != nil {
			b.Fatal(err)
		}
		if err := raw.QueryRow(`SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'contact_terms%'`).Scan(&terms); err != nil {
			b.Fatal(err)
		}
		if os.Getenv("SWITCHBOARD_BENCH_TABLES") != "" {
			rows, err := raw.Query(`SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 40`)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var name string
				var size int64
				if err := rows.Scan(&name, &size); err != nil {
					b.Fatal(err)
				}
				fmt.Fprintf(os.Stderr, "%-40s %8d bytes/conv\n", name, size/int64(n))
			}
			rows.Close()
		}
		b.ReportMetric(float64(total)/float64(n), "db-bytes/conv")
		b.ReportMetric(float64(terms)/float64(n), "term-bytes/conv")
		b.ReportMetric(float64(total)*100_000/float64(n)/1e6, "MB-at-100k")
	})
}
