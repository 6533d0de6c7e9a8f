package sqlite

import (
	"context"
	"strings"
	"testing"
)

// TestSearchIDFromIndex: allocating a search id reads the partial index,
// never the table (written without "WHERE search_id IS NOT NULL", max()
// scanned every message on every insert).
func TestSearchIDFromIndex(t *testing.T) {
	db := openInternal(t, Options{})
	for q, index := range map[string]string{nextMessageSearchID: "messages_search_id", nextNoteSearchID: "thread_entries_search_id"} {
		rows, err := db.rdb.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "INDEX "+index) || strings.Contains(p, "SCAN") {
			t.Errorf("plan of %q = %s, want a search of %s", q, p, index)
		}
	}
}
