package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// readDB is the read-only pool with a cache of prepared statements: SQLite
// spends much of a small read compiling its SQL, and the hot reads (one
// message, one conversation) are the same few queries. A *sql.Stmt of a
// *sql.DB is prepared again on each connection as needed, so the cache is
// shared by all readers.
type readDB struct {
	*sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newReadDB(db *sql.DB) *readDB { return &readDB{DB: db, stmts: map[string]*sql.Stmt{}} }

// stmt returns the prepared statement for query, preparing it on first use
// while the cache has room; nil means run the query unprepared.
func (r *readDB) stmt(ctx context.Context, query string) *sql.Stmt {
	r.mu.Lock()
	st, ok := r.stmts[query]
	full := len(r.stmts) >= maxStmts
	r.mu.Unlock()
	if ok || full {
		return st
	}
	// Prepare without the lock: it waits for a connection, which another
	// caller may hold while it wants a statement.
	st, err := r.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.stmts[query]; ok {
		st.Close()
		return prev
	}
	r.stmts[query] = st
	return st
}

// QueryContext runs a query through its prepared statement.
func (r *readDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query through its prepared statement.
func (r *readDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the statements, then the pool.
func (r *readDB) Close() error {
	r.mu.Lock()
	for q, st := range r.stmts {
		st.Close()
		delete(r.stmts, q)
	}
	r.mu.Unlock()
	return r.DB.Close()
}
