package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testURL is the database the tests use; each test gets its own schema in it.
func testURL() string {
	if u := os.Getenv("SWITCHBOARD_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return defaultTestURL
}

// connect opens a plain connection for test setup and inspection. It fails
// the test, never skips it, when PostgreSQL is unreachable.
func connect(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testURL())
	if err == nil {
		err = conn.Ping(ctx)
	}
	if err != nil {
		tb.Fatalf("PostgreSQL at %s is unreachable: %v; start it with pg_ctlcluster 15 main start or set SWITCHBOARD_TEST_POSTGRES_URL", testURL(), err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// newSchema returns the name of a fresh schema that is dropped when the test
// ends.
func newSchema(tb testing.TB) string {
	tb.Helper()
	conn := connect(tb)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sbtest_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

func testMasterKey(tb testing.TB) *seal.MasterKey {
	tb.Helper()
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	mk, err := seal.NewMasterKey("mk_test", raw)
	if err != nil {
		tb.Fatal(err)
	}
	return mk
}

// MustOpenDB opens a migrated store in its own schema, closed and dropped
// when the test ends.
func MustOpenDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, _ := mustOpenSchema(tb, testMasterKey(tb), nil)
	return db
}

func mustOpenSchema(tb testing.TB, mk *seal.MasterKey, clock switchboard.Clock) (*postgres.DB, string) {
	tb.Helper()
	connect(tb) // fail clearly if the server is down
	schema := newSchema(tb)
	db, err := postgres.Open(context.Background(), testURL(), postgres.Options{Master: mk, Migrate: true, Schema: schema, Clock: clock, AuditKey: storetest.AuditKey})
	if err != nil {
		tb.Fatalf("open postgres store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, schema
}

func TestOpen_Migrations(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t)
	schema := newSchema(t)

	// Without Migrate, a fresh schema is refused.
	if _, err := postgres.Open(ctx, testURL(), postgres.Options{Master: mk, Schema: schema}); err == nil {
		t.Fatal("Open without Migrate on an empty schema succeeded")
	}

	db, err := postgres.Open(ctx, testURL(), postgres.Options{Master: mk, Migrate: true, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	applied, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if applied != latest || latest < 1 {
		t.Fatalf("SchemaVersion = %d, %d; want equal and >= 1", applied, latest)
	}
	roles, err := db.Roles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != len(switchboard.BuiltinRoles()) {
		t.Fatalf("got %d roles after migrating, want the %d built-in ones", len(roles), len(switchboard.BuiltinRoles()))
	}
	ch := &switchboard.Channel{Name: "Main", PhoneNumberID: "1001", AccessToken: "tok"}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915100000001", ProfileName: "Ada",
		Message: &switchboard.Message{Type: switchboard.TypeText, WAMessageID: "wamid.1", Content: switchboard.MessageContent{Text: "hi"}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Reopening (with and without Migrate) keeps the data and the blind
	// index key: the contact is still found by search.
	for _, migrate := range []bool{true, false} {
		db, err := postgres.Open(ctx, testURL(), postgres.Options{Master: mk, Migrate: migrate, Schema: schema})
		if err != nil {
			t.Fatalf("reopen (migrate=%v): %v", migrate, err)
		}
		convs, _, err := db.Conversations(ctx, switchboard.ConversationFilter{Query: "ada"})
		if err != nil {
			t.Fatal(err)
		}
		if len(convs) != 1 || convs[0].Contact.Name != "Ada" || convs[0].LastMessage == nil || convs[0].LastMessage.Text != "hi" {
			t.Fatalf("after reopen: %+v", convs)
		}
		db.Close()
	}

	// Another master key cannot open the store.
	if _, err := postgres.Open(ctx, testURL(), postgres.Options{Master: testMasterKey(t), Schema: schema}); err == nil {
		t.Fatal("Open with another master key succeeded")
	}
}

func TestOpen_Unreachable(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
		postgres.Options{Master: testMasterKey(t)})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
}
