package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fold"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// benchWord is the synthetic word of rank i: consonant-vowel syllables, at
// least two, so every word has a four-letter prefix term.
func benchWord(i int) string {
	const cons, vows = "bcdfghklmnprstvz", "aeiou"
	var sb strings.Builder
	for n := 0; n < 2 || i > 0; n++ {
		s := i % 80
		i /= 80
		sb.WriteByte(cons[s/5])
		sb.WriteByte(vows[s%5])
	}
	return sb.String()
}

// benchRank draws word ranks with a heavy head (about a third of the
// messages have the most frequent word, as with "the" or "и"), from a hash
// of the message and slot, so every run stores the same texts.
func benchRank(n, k, vocab int) int {
	// splitmix64 of the slot number: well mixed in every bit.
	z := uint64(n)*16 + uint64(k) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	u := float64(z>>11) / float64(1<<53)
	return int(float64(vocab) * u * u * u)
}

// BenchmarkSearchMillion measures message search over 1,000,000 messages
// in 10,000 conversations (10 words each from a 20,000-word vocabulary,
// written in bulk with real sealed texts and index entries), per query
// kind, as an administrator and as an employee who sees 1% of the
// conversations: p50 and p99 of 200 searches each. The baseline in the
// same run is what the index replaces: decrypting the newest messages and
// matching their folded words until a page is full, read over at most
// 20,000 messages. SWITCHBOARD_BENCH_SEARCH_MESSAGES changes the number of
// messages (docs/benchmarks.md, "Message search").
func BenchmarkSearchMillion(b *testing.B) {
	total := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_SEARCH_MESSAGES")); err == nil && v > 0 {
		total = v
	}
	const vocab, perMsg, convs = 20_000, 10, 10_000
	ctx := context.Background()
	db := openInternalB(b)
	ch := &switchboard.Channel{Name: "Bench", PhoneNumberID: "1001", AccessToken: "t", AppSecret: "s", VerifyToken: "v"}
	must(b, db.CreateChannel(ctx, ch))
	emp := &switchboard.User{Login: "emp", Name: "Emp", RoleID: switchboard.RoleEmployee, Active: true, PasswordHash: "$argon2id$v=19$x"}
	must(b, db.CreateUser(ctx, emp))
	seed, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915100000000",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "seed"}, WAMessageID: "wamid.seed", Timestamp: storetest.T0}})
	must(b, err)
	var keyID string
	must(b, db.rdb.QueryRowContext(ctx, `SELECT key_id FROM conversations WHERE id = ?`, seed.Conversation.ID).Scan(&keyID))

	wordTerms := make([][]int64, vocab)
	for i := range wordTerms {
		wordTerms[i] = db.codec.Index.TextTerms(benchWord(i))
	}
	t0 := time.Now()
	start := storetest.T0.Add(time.Hour).UnixMicro()
	err = db.writeRaw(ctx, func(ctx context.Context, conn *sql.DB) error {
		for _, q := range []string{
			`CREATE TEMP TABLE bc AS WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ` + strconv.Itoa(convs) + `)
				SELECT n, 'bconv' || n AS id, 'bcont' || n AS contact FROM i`,
			`INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, name, created_at, updated_at)
				SELECT contact, '` + ch.ID + `', '` + keyID + `', CAST(contact AS BLOB), x'00', x'00', 0, 0 FROM bc`,
			`INSERT INTO conversations (id, channel_id, contact_id, status, key_id, inbound_count, created_at, updated_at)
				SELECT id, '` + ch.ID + `', contact, 'open', '` + keyID + `', 0, 0, 0 FROM bc`,
			// The employee is assigned to 1% of the conversations.
			`INSERT INTO conversation_assignees (conversation_id, user_id, assigned_at) SELECT id, '` + emp.ID + `', 0 FROM bc WHERE n % 100 = 7`,
			`CREATE TEMP TABLE bt (term INTEGER, ts INTEGER, msg INTEGER)`,
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%w: %s", err, q)
			}
		}
		const chunk = 50_000
		for from := 0; from < total; from += chunk {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			ins, err := tx.PrepareContext(ctx, `INSERT INTO messages (id, conversation_id, key_id, direction, type, status, content,
				ts, created_at, updated_at, search_id, search_terms) VALUES (?, ?, ?, 'in', 'text', 'received', ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			var targs []any
			flush := func() error {
				if len(targs) == 0 {
					return nil
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO bt VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(targs)/3), ", "), targs...)
				targs = targs[:0]
				return err
			}
			for n := from; n < min(from+chunk, total); n++ {
				words := make([]string, perMsg)
				var terms []int64
				for k := range perMsg {
					r := benchRank(n, k, vocab)
					words[k] = benchWord(r)
					for _, t := range wordTerms[r] {
						if !slices.Contains(terms, t) {
							terms = append(terms, t)
						}
					}
				}
				id := "bmsg" + strconv.Itoa(n)
				content, err := storecrypt.EncodeContent(switchboard.MessageContent{Text: strings.Join(words, " ")})
				if err != nil {
					return err
				}
				sealed, err := db.codec.Seal(ctx, keyID, "messages", "content", id, content)
				if err != nil {
					return err
				}
				ts := start + int64(n)*1_000_000
				sid := int64(n) + 2 // 1 is the seed
				if _, err := ins.ExecContext(ctx, id, "bconv"+strconv.Itoa(n%convs), keyID, sealed, ts, ts, ts, sid, storecrypt.EncodeTerms(terms)); err != nil {
					return err
				}
				for _, t := range terms {
					targs = append(targs, t, ts, sid)
				}
				if len(targs) >= 900 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := flush(); err != nil {
				return err
			}
			ins.Close()
			if err := tx.Commit(); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`INSERT INTO message_terms (term, ts, msg) SELECT term, ts, msg FROM bt ORDER BY term, ts DESC, msg DESC`,
			`DROP TABLE bt`, `DROP TABLE bc`, `ANALYZE`,
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%w: %s", err, q)
			}
		}
		return nil
	})
	must(b, err)
	var entries int
	must(b, db.rdb.QueryRowContext(ctx, `SELECT count(*) FROM message_terms`).Scan(&entries))
	b.Logf("bulk-inserted %d messages with %d index entries in %v", total, entries, time.Since(t0).Round(time.Millisecond))

	// Query kinds, by word rank: rank 0 is in about a third of the
	// messages, rank 200 in about 1 of 500, rank 15,000 in about 1 of
	// 100,000.
	w := benchWord
	queries := []struct{ name, q string }{
		{"frequent", w(0)},
		{"medium", w(200)},
		{"rare", w(15_000)},
		{"prefix", w(3)[:4]},
		{"two_frequent", w(0) + " " + w(1)},
		{"frequent_and_rare", w(0) + " " + w(15_000)},
		{"absent", "zzzzzz"},
	}
	pct := func(d []time.Duration, p float64) time.Duration {
		slices.Sort(d)
		return d[int(math.Ceil(p*float64(len(d))))-1]
	}
	const runs = 200
	for _, who := range []struct {
		name string
		f    switchboard.MessageSearch
	}{{"admin", switchboard.MessageSearch{}}, {"employee", switchboard.MessageSearch{OnlyVisibleTo: emp.ID}}} {
		for _, q := range queries {
			b.Run(who.name+"/"+q.name, func(b *testing.B) {
				f := who.f
				f.Query, f.Limit = q.q, 20
				var d []time.Duration
				hits := 0
				for b.Loop() {
					for range runs {
						t := time.Now()
						hs, _, err := db.SearchMessages(ctx, f)
						d = append(d, time.Since(t))
						if err != nil {
							b.Fatal(err)
						}
						hits = len(hs)
					}
				}
				b.ReportMetric(float64(pct(d, 0.5).Microseconds())/1000, "p50_ms")
				b.ReportMetric(float64(pct(d, 0.99).Microseconds())/1000, "p99_ms")
				b.ReportMetric(float64(hits), "hits")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
	b.Run("baseline_decrypt_scan/medium", func(b *testing.B) {
		want := fold.Words(w(200), false)[0]
		var d []time.Duration
		for b.Loop() {
			for range 5 {
				t := time.Now()
				hits, read := benchDecryptScan(b, db, want, 20, 20_000)
				d = append(d, time.Since(t))
				b.ReportMetric(float64(hits), "hits")
				b.ReportMetric(float64(read), "read")
			}
		}
		b.ReportMetric(float64(pct(d, 0.5).Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(pct(d, 0.99).Microseconds())/1000, "p99_ms")
		b.ReportMetric(0, "ns/op")
	})
}

// benchDecryptScan is the search without an index: read messages newest
// first, decrypt and fold each, until limit hits or max messages read.
func benchDecryptScan(b *testing.B, db *DB, word string, limit, max int) (hits, read int) {
	ctx := context.Background()
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, key_id, content FROM messages ORDER BY ts DESC LIMIT ?`, max)
	must(b, err)
	defer rows.Close()
	for rows.Next() && hits < limit {
		var id, keyID string
		var sealed []byte
		must(b, rows.Scan(&id, &keyID, &sealed))
		read++
		pt, err := db.codec.Open(ctx, keyID, "messages", "content", id, sealed)
		must(b, err)
		c, err := storecrypt.DecodeContent(pt)
		must(b, err)
		if slices.Contains(fold.Words(c.Text, false), word) {
			hits++
		}
	}
	return hits, read
}

// BenchmarkIngestTerms measures the cost that search terms add to storing
// a customer's message: ReceiveMessage of texts with 0 (the baseline, no
// terms), 12 and 60 words, in the same run.
func BenchmarkIngestTerms(b *testing.B) {
	for _, n := range []int{0, 12, 60} {
		b.Run(fmt.Sprintf("words=%d", n), func(b *testing.B) {
			db := openInternalB(b)
			ch := &switchboard.Channel{Name: "Bench", PhoneNumberID: "1001", AccessToken: "t", AppSecret: "s", VerifyToken: "v"}
			must(b, db.CreateChannel(context.Background(), ch))
			words := make([]string, n)
			for i := range words {
				words[i] = benchWord(i*37 + 5)
			}
			text := strings.Join(words, " ")
			if text == "" {
				text = "👍"
			}
			i := 0
			for b.Loop() {
				i++
				_, err := db.ReceiveMessage(context.Background(), switchboard.InboundMessage{ChannelID: ch.ID, WaID: fmt.Sprintf("4915%09d", i/4),
					Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text},
						WAMessageID: "wamid.b" + strconv.Itoa(i), Timestamp: storetest.T0.Add(time.Duration(i) * time.Millisecond)}})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func openInternalB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(context.Background(), b.TempDir()+"/bench.db", Options{Master: storetest.MasterKey(b), Migrate: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
