package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/dump"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// TestRestoreSameBackend backs up a populated instance and restores it into
// a new database of the same backend: everything read through the store is
// the same, the logical dump is identical row for row, and Reapply runs on
// the restored store.
func TestRestoreSameBackend(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB, *seal.MasterKey) *instance
	}{
		{"sqlite", newSQLite},
		{"postgres", newPostgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := masterKey(t)
			src := tc.open(t, k)
			f := populate(t, src, 6)
			key := backupKey(t)
			path, m := backupFile(t, src, key)
			if m.Backend != tc.name || m.SchemaVersion < 2 || m.MediaFiles != 3 || len(m.MissingMedia) != 0 || m.Rows["messages"] != 13 {
				t.Fatalf("manifest: backend %s, schema %d, media %d (missing %v), messages %d", m.Backend, m.SchemaVersion, m.MediaFiles, m.MissingMedia, m.Rows["messages"])
			}
			if len(m.MasterKeyIDs) != 1 || m.MasterKeyIDs[0] != "mk_backuptest" {
				t.Fatalf("master key ids %v", m.MasterKeyIDs)
			}

			dst := tc.open(t, k)
			var reapplied atomic.Int32
			res, err := restoreFile(t, path, key, dst, func(ctx context.Context, s switchboard.Store) error {
				// The hook sees the restored data through a working store.
				if n, err := s.CountUsers(ctx); err != nil || n != 3 { // ada, emil and the faq-bot service account
					return fmt.Errorf("reapply sees %d users: %v", n, err)
				}
				reapplied.Add(1)
				return nil
			})
			must(t, err)
			if reapplied.Load() != 1 || res.MediaFiles != 3 {
				t.Fatalf("reapply ran %d times, %d media files restored", reapplied.Load(), res.MediaFiles)
			}
			compareInstances(t, src, dst, f.admin.ID)
			want, got := dumpRows(t, src.db), dumpRows(t, dst.db)
			for _, tab := range dump.Tables() {
				if strings.Join(want[tab.Name], "") != strings.Join(got[tab.Name], "") {
					t.Fatalf("table %s differs after restore:\n%q\n%q", tab.Name, want[tab.Name], got[tab.Name])
				}
			}
			// The restored instance works: search uses the restored blind
			// index, and new data can be written.
			cs, _, err := dst.db.Conversations(bg(), switchboard.ConversationFilter{Query: "probename 3", ViewerID: f.admin.ID})
			must(t, err)
			if len(cs) != 1 || cs[0].Contact.Name != "Jürgen Probename 3" {
				t.Fatalf("search after restore found %d conversations", len(cs))
			}
			_, err = dst.db.ReceiveMessage(bg(), textIn(f.channel.ID, "4915177700000", "", "wamid.after", "after restore", t0.Add(48*time.Hour)))
			must(t, err)
			must(t, dst.db.AppendAudit(bg(), &switchboard.AuditEntry{At: t0.Add(48 * time.Hour), Action: "after", Outcome: switchboard.OutcomeSuccess}))
			if v, err := switchboard.VerifyAuditChain(bg(), dst.db, nil); err != nil || v.Break != nil {
				t.Fatalf("audit chain after a new entry: %v %v", v.Break, err)
			}
		})
	}
}

// TestRestoreCrossBackend moves an instance from SQLite to PostgreSQL and
// back through backups.
func TestRestoreCrossBackend(t *testing.T) {
	mk := masterKey(t)
	key := backupKey(t)
	lite := newSQLite(t, mk)
	f := populate(t, lite, 5)
	path, _ := backupFile(t, lite, key)

	pg := newPostgres(t, mk)
	res, err := restoreFile(t, path, key, pg, nil)
	must(t, err)
	t.Logf("SQLite → PostgreSQL: %d rows in %v", sum(res.Rows), res.Duration)
	compareInstances(t, lite, pg, f.admin.ID)

	// Changes on PostgreSQL, then back to SQLite.
	_, err = pg.db.ReceiveMessage(bg(), textIn(f.channel.ID, "4915177700001", "Jürgen Probename neu", "wamid.pg", "nach dem Umzug", t0.Add(72*time.Hour)))
	must(t, err)
	path2, m := backupFile(t, pg, key)
	if m.Backend != "postgres" {
		t.Fatalf("backend %q", m.Backend)
	}
	back := newSQLite(t, mk)
	_, err = restoreFile(t, path2, key, back, nil)
	must(t, err)
	compareInstances(t, pg, back, f.admin.ID)
}

// TestBackupUnderLoad makes a backup while goroutines keep writing messages
// and audit entries, restores it, and checks that the restore holds exactly
// one consistent snapshot: the rows of the backup, every restored message
// equal to the source's, conversations consistent with their messages, and
// an audit log that is a verified prefix of the source's.
func TestBackupUnderLoad(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			mk := masterKey(t)
			var src *instance
			if backend == "sqlite" {
				src = newSQLite(t, mk)
			} else {
				src = newPostgres(t, mk)
			}
			f := populate(t, src, 4)
			key := backupKey(t)

			ctx, stop := context.WithCancel(bg())
			var wg sync.WaitGroup
			var written atomic.Int64
			errs := make(chan error, 8)
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ctx.Err() == nil; i++ {
						wa := fmt.Sprintf("49160%02d%05d", w, i%40)
						_, err := src.db.ReceiveMessage(bg(), textIn(f.channel.ID, wa, "Probename Last", fmt.Sprintf("wamid.load.%d.%d", w, i),
							fmt.Sprintf("Quarkstrudel-Bestellung unter Last %d/%d", w, i), t0.Add(time.Duration(i)*time.Second)))
						if err == nil && i%5 == 0 {
							err = src.db.AppendAudit(bg(), &switchboard.AuditEntry{At: time.Now(), Action: "load", ObjectID: wa, Outcome: switchboard.OutcomeSuccess})
						}
						if err != nil {
							errs <- err
							return
						}
						written.Add(1)
					}
				}()
			}
			// waitFor lets the writers get n rows further, failing (not
			// hanging) if they stop.
			waitFor := func(n int64) {
				deadline := time.After(30 * time.Second)
				for written.Load() < n {
					select {
					case err := <-errs:
						stop()
						t.Fatalf("writer: %v", err)
					case <-deadline:
						stop()
						t.Fatalf("writers wrote only %d rows", written.Load())
					case <-time.After(5 * time.Millisecond):
					}
				}
			}
			const before = 100 // rows written before the backup starts
			waitFor(before)
			path, m := backupFile(t, src, key)
			waitFor(written.Load() + 50)
			stop()
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}

			dst := newSQLite(t, mk)
			_, err := restoreFile(t, path, key, dst, nil)
			must(t, err)

			// Row for row what the backup holds.
			rows := backupRows(t, path, key)
			got := dumpRows(t, dst.db)
			for _, tab := range dump.Tables() {
				if strings.Join(rows[tab.Name], "") != strings.Join(got[tab.Name], "") {
					t.Fatalf("table %s: the restore differs from the backup", tab.Name)
				}
			}
			restoredMsgs, sourceMsgs := m.Rows["messages"], int64(len(dumpRows(t, src.db)["messages"]))
			if restoredMsgs < 9+before*4/5 || restoredMsgs >= sourceMsgs {
				t.Fatalf("backup has %d messages, source ended with %d: the backup did not run under load", restoredMsgs, sourceMsgs)
			}
			// One snapshot: every conversation agrees with its messages.
			var msgs int
			for _, c := range allConversations(t, dst.db, "nobody") {
				ms := allMessages(t, dst.db, c.ID)
				msgs += len(ms)
				in := 0
				for _, m := range ms {
					if m.Direction == switchboard.DirectionIn {
						in++
					}
					sm, err := src.db.Message(bg(), m.ID)
					must(t, err)
					if canon(t, sm) != canon(t, m) {
						t.Fatalf("message %s differs from the source", m.ID)
					}
				}
				if c.UnreadCount != in {
					t.Fatalf("conversation %s counts %d inbound messages but has %d: not one snapshot", c.ID, c.UnreadCount, in)
				}
				if c.LastMessage == nil || len(ms) == 0 || c.LastMessage.Text != ms[0].Content.Text && ms[0].Content.Text != "" {
					t.Fatalf("conversation %s preview %+v does not match its newest message", c.ID, c.LastMessage)
				}
			}
			if int64(msgs) != restoredMsgs {
				t.Fatalf("listed %d messages, the backup has %d", msgs, restoredMsgs)
			}
			sa, da := allAudit(t, src.db), allAudit(t, dst.db)
			if len(da) == 0 || len(da) > len(sa) || canon(t, sa[:len(da)]) != canon(t, da) {
				t.Fatalf("restored audit log (%d entries) is not a prefix of the source's (%d)", len(da), len(sa))
			}
			if v, err := switchboard.VerifyAuditChain(bg(), dst.db, nil); err != nil || v.Break != nil {
				t.Fatalf("audit chain after restore: %+v %v", v.Break, err)
			}
			t.Logf("backup under load: %d of %d messages, %d of %d audit entries", restoredMsgs, sourceMsgs, len(da), len(sa))
		})
	}
}

// backupRows reads the rows of a backup file as JSON lines per table, sorted.
func backupRows(tb testing.TB, path string, key *Key) map[string][]string {
	tb.Helper()
	f, err := os.Open(path)
	must(tb, err)
	defer f.Close()
	a, err := newArchiveReader(f, key)
	must(tb, err)
	rows := map[string][]string{}
	var header *archiveHeader
	for {
		name, err := a.next()
		if err == io.EOF {
			break
		}
		must(tb, err)
		switch {
		case name == headerEntry:
			header, err = readHeader(a)
			must(tb, err)
		case strings.HasPrefix(name, "tables/"):
			t := tableOf(header, name)
			_, err := eachRow(a, t, nil, func(row []any) error {
				b, err := dump.AppendRow(nil, t, row)
				rows[t.Name] = append(rows[t.Name], string(b))
				return err
			})
			must(tb, err)
		}
	}
	for _, r := range rows {
		slices.Sort(r)
	}
	return rows
}

// TestBackupPlaintextScan writes known names, numbers, texts, file contents
// and channel secrets, makes a backup, and finds none of them in the backup
// file, nor any file left next to it.
func TestBackupPlaintextScan(t *testing.T) {
	src := newSQLite(t, masterKey(t))
	populate(t, src, 4)
	key := backupKey(t)
	path, _ := backupFile(t, src, key)
	ents, err := os.ReadDir(filepath.Dir(path))
	must(t, err)
	if len(ents) != 1 {
		t.Fatalf("backup directory holds %d files, want only the backup", len(ents))
	}
	data, err := os.ReadFile(path)
	must(t, err)
	for _, p := range append(probes, "Jürgen", "Ada Admin", "conversation.read", "tables/", "manifest.json") {
		for _, form := range []string{p, strings.ToLower(p)} {
			if bytes.Contains(data, []byte(form)) {
				t.Fatalf("backup file contains %q in clear", form)
			}
		}
	}
	// The probes are in the plaintext: the scan would find them.
	rows := backupRows(t, path, key)
	if !strings.Contains(strings.Join(rows["users"], ""), "Ada Admin") {
		t.Fatal("the decrypted backup lacks the users: the scan proves nothing")
	}
}

// TestVerifyDetectsDamage flips single bytes and truncates a backup: verify
// fails with an error that says where, and restore changes nothing.
func TestVerifyDetectsDamage(t *testing.T) {
	src := newSQLite(t, masterKey(t))
	populate(t, src, 3)
	key := backupKey(t)
	path, _ := backupFile(t, src, key)
	good, err := os.ReadFile(path)
	must(t, err)
	if _, err := Verify(bg(), bytes.NewReader(good), key); err != nil {
		t.Fatalf("verify of a good backup: %v", err)
	}
	n := len(good)
	type damage struct {
		name string
		data []byte
		want error
	}
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x20
		return b
	}
	cases := []damage{
		{"magic", flip(0), ErrNotBackup},
		{"header", flip(len(magic) + 8), nil},
		{"first chunk", flip(300), ErrDamaged},
		{"middle", flip(n / 2), ErrDamaged},
		{"last byte", flip(n - 1), ErrDamaged},
		{"truncated to half", good[:n/2], ErrDamaged},
		{"truncated by one byte", good[:n-1], ErrDamaged},
		{"cut after the header", good[:len(magic)+4+200], ErrDamaged},
		{"trailing bytes", append(bytes.Clone(good), 0), ErrDamaged},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(bg(), bytes.NewReader(c.data), key)
			if err == nil {
				t.Fatal("verify accepted a damaged backup")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			t.Logf("%s: %v", c.name, err)
		})
	}
	t.Run("middle names the entry", func(t *testing.T) {
		_, err := Verify(bg(), bytes.NewReader(flip(n/2)), key)
		if err == nil || !strings.Contains(err.Error(), "entry \"") || !strings.Contains(err.Error(), "at byte") {
			t.Fatalf("error does not say where: %v", err)
		}
	})
	t.Run("restore refuses a damaged backup", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), filepath.Base(path))
		must(t, os.WriteFile(bad, flip(n/2), 0o600))
		dst := newSQLite(t, masterKey(t))
		if _, err := restoreFile(t, bad, key, dst, nil); !errors.Is(err, ErrDamaged) {
			t.Fatalf("restore of a damaged backup: %v", err)
		}
		must(t, dst.db.CheckEmpty(bg()))
	})
}

// TestVerifyChecksums re-encrypts a backup in which one entry no longer
// matches its size, SHA-256 or row count in the manifest (as a bug, or
// someone holding the backup key, could produce): verify names that entry.
func TestVerifyChecksums(t *testing.T) {
	src := newSQLite(t, masterKey(t))
	populate(t, src, 2)
	key := backupKey(t)
	path, m := backupFile(t, src, key)
	good, err := os.ReadFile(path)
	must(t, err)
	var mediaEntry string
	for _, e := range m.Entries {
		if strings.HasPrefix(e.Name, "media/") {
			mediaEntry = e.Name
			break
		}
	}
	for _, c := range []struct {
		entry  string
		change func([]byte) []byte
		want   string
	}{
		{"tables/users/000001.jsonl", func(b []byte) []byte { return bytes.Replace(b, []byte("emil"), []byte("emiL"), 1) }, "SHA-256"},
		{"tables/users/000001.jsonl", func(b []byte) []byte { return append(b, b[bytes.IndexByte(b, '\n')+1:]...) }, "bytes"},
		{mediaEntry, func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/2] ^= 1; return b }, "SHA-256"},
	} {
		bad := rewrite(t, good, key, func(name string, body []byte) []byte {
			if name == c.entry {
				return c.change(body)
			}
			return body
		})
		_, err := Verify(bg(), bytes.NewReader(bad), key)
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), `"`+c.entry+`"`) || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("verify of a backup with %s changed: %v", c.entry, err)
		}
	}
	// The rewrite itself keeps a good backup good.
	if _, err := Verify(bg(), bytes.NewReader(rewrite(t, good, key, func(_ string, b []byte) []byte { return b })), key); err != nil {
		t.Fatalf("rewritten backup: %v", err)
	}
}

// rewrite decrypts a backup, passes every entry through change, and
// encrypts the result again, keeping the original manifest.
func rewrite(tb testing.TB, data []byte, key *Key, change func(name string, body []byte) []byte) []byte {
	tb.Helper()
	a, err := newArchiveReader(bytes.NewReader(data), key)
	must(tb, err)
	var out bytes.Buffer
	sw, err := sealWriter(&out, key)
	must(tb, err)
	gz := gzip.NewWriter(sw)
	w := &archiveWriter{tw: tar.NewWriter(gz), modTime: t0}
	for {
		name, err := a.next()
		if err == io.EOF {
			break
		}
		must(tb, err)
		body, err := io.ReadAll(a)
		must(tb, err)
		must(tb, w.add(name, change(name, body), 0))
	}
	must(tb, w.tw.Close())
	must(tb, gz.Close())
	must(tb, sw.Close())
	return out.Bytes()
}

// TestRestoreRefuses checks the clear errors for a non-empty target, a wrong
// backup key and a wrong master key; none of them changes the target.
func TestRestoreRefuses(t *testing.T) {
	mk := masterKey(t)
	src := newSQLite(t, mk)
	populate(t, src, 2)
	key := backupKey(t)
	path, _ := backupFile(t, src, key)

	t.Run("non-empty database", func(t *testing.T) {
		dst := newSQLite(t, mk)
		must(t, dst.db.CreateUser(bg(), &switchboard.User{Login: "zoe", Name: "Zoe", RoleID: switchboard.RoleAdmin, Active: true}))
		_, err := restoreFile(t, path, key, dst, nil)
		var ne *dump.NotEmptyError
		if !errors.As(err, &ne) || ne.Table != "users" || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("restore into a non-empty database: %v", err)
		}
		if n, _ := dst.db.CountUsers(bg()); n != 1 {
			t.Fatalf("the target changed: %d users", n)
		}
	})
	t.Run("wrong backup key", func(t *testing.T) {
		dst := newSQLite(t, mk)
		_, err := restoreFile(t, path, backupKey(t), dst, nil)
		if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), key.ID()) {
			t.Fatalf("restore with another backup key: %v", err)
		}
		same, err := NewKey(key.ID(), bytes.Repeat([]byte{7}, 32))
		must(t, err)
		if _, err := restoreFile(t, path, same, dst, nil); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("restore with a different key of the same id: %v", err)
		}
		must(t, dst.db.CheckEmpty(bg()))
	})
	t.Run("wrong master key", func(t *testing.T) {
		dst := newSQLite(t, masterKeyWithID(t, "mk_other"))
		_, err := restoreFile(t, path, key, dst, nil)
		if err == nil || !strings.Contains(err.Error(), "mk_backuptest") || !strings.Contains(err.Error(), "master key") {
			t.Fatalf("restore with another master key: %v", err)
		}
		must(t, dst.db.CheckEmpty(bg()))
	})
}
