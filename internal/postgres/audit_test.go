package postgres_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestAuditTamper rewrites the audit log through a connection of its own,
// as an attacker with database access but not the audit key.
func TestAuditTamper(t *testing.T) {
	schemas := map[switchboard.Store]string{}
	open := func(tb testing.TB) switchboard.Store {
		db, schema := mustOpenSchema(tb, storetest.MasterKey(tb), nil)
		schemas[db] = schema
		return db
	}
	storetest.RunAuditTamper(t, open, func(tb testing.TB, s switchboard.Store, entries []*switchboard.AuditEntry) {
		ctx := context.Background()
		conn := connect(tb)
		defer conn.Close(ctx)
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+pgx.Identifier{schemas[s]}.Sanitize()); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM audit_log`); err != nil {
				return err
			}
			for _, e := range entries {
				detail, _ := json.Marshal(e.Detail)
				if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_login, action, object_type, object_id, outcome, ip, user_agent, detail, prev_hash, hash)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, e.Seq, e.At, e.ActorID, e.ActorLogin, e.Action, e.ObjectType,
					e.ObjectID, e.Outcome, e.IP, e.UserAgent, string(detail), e.PrevHash, e.Hash); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	})
}
