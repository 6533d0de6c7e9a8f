// Package storekit holds the parts of a store that are not SQL, written
// once for internal/sqlite and internal/postgres: the migration loader, the
// contact name cache, list limits and pages, LIKE escaping and the folded
// search keys. Each store keeps its own SQL, locking and transactions; this
// package never touches a database.
package storekit

import (
	"slices"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fold"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// Page size limits for every list.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ClampLimit returns the page size for a requested limit: DefaultLimit for
// zero or less, at most MaxLimit.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// Page cuts a list read with limit+1 rows to limit and, when there was
// more, returns the cursor of its last item as next.
func Page[T any](items []T, limit int, cursor func(T) string) (page []T, next string) {
	if len(items) > limit {
		items = items[:limit]
		next = cursor(items[limit-1])
	}
	return items, next
}

// EscapeLike escapes the LIKE wildcards of s for use with ESCAPE '\'
// (PostgreSQL's default escape character, named explicitly on SQLite).
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UserSearchKey is the stored search key of a user (users.search_key): the
// folded login and name on two lines. A folded query never contains a line
// break, so it cannot match across the two.
func UserSearchKey(login, name string) string {
	return fold.String(login) + "\n" + fold.String(name)
}

// ContainsPattern returns the LIKE pattern (ESCAPE '\') that finds the
// folded query q anywhere in a folded search key, and false when q folds
// to nothing.
func ContainsPattern(q string) (string, bool) {
	f := fold.String(q)
	if f == "" {
		return "", false
	}
	return "%" + EscapeLike(f) + "%", true
}

// Rows is what [Collect] needs of a result set: *sql.Rows and pgx.Rows
// both have it. The caller still closes the rows.
type Rows interface {
	Next() bool
	Err() error
}

// Collect reads every row of rows with scan, which scans the current row,
// and returns them in order: an empty slice, never nil, for no rows.
func Collect[T any](rows Rows, scan func() (T, error)) ([]T, error) {
	out := []T{}
	for rows.Next() {
		v, err := scan()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CannedShortcutKey is the stored, folded shortcut of a canned reply
// (canned_replies.shortcut_key), unique per scope.
func CannedShortcutKey(shortcut string) string { return fold.String(shortcut) }

// CannedSearchKey is the stored search key of a canned reply: the folded
// shortcut and title on two lines.
func CannedSearchKey(shortcut, title string) string {
	return fold.String(shortcut) + "\n" + fold.String(title)
}

// CannedLimit applies the list limit rule (default 50, at most 200).
func CannedLimit(n int) int {
	if n <= 0 {
		return 50
	}
	return min(n, 200)
}

// KeepPhoneMatches drops from a page of a list searched by q the
// conversations whose customer's number holds every piece of a long
// phone query but not the query in one run ([seal.PhoneMatches]); the
// page may come back shorter, its cursor stays where the unfiltered page
// ended.
func KeepPhoneMatches(q string, convs []*switchboard.Conversation) []*switchboard.Conversation {
	q = strings.TrimSpace(q)
	if q == "" {
		return convs
	}
	return slices.DeleteFunc(convs, func(c *switchboard.Conversation) bool {
		return !seal.PhoneMatches(q, c.Contact.WaID)
	})
}
