package storekit

import (
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// The cursors of the keyset-paged lists, for [Page]: each names the last
// item of a page by the columns its list is ordered by.

// UserCursor is the cursor after u in the users list (ordered by login).
func UserCursor(u *switchboard.User) string { return storecrypt.EncodeCursor(time.Time{}, u.Login) }

// AuditCursor is the cursor after e in the audit log (newest first, by seq).
func AuditCursor(e *switchboard.AuditEntry) string {
	return storecrypt.EncodeCursor(time.Time{}, strconv.FormatInt(e.Seq, 10))
}

// ConversationCursor is the cursor after c in the conversation list
// (updated_at, id descending).
func ConversationCursor(c *switchboard.Conversation) string {
	return storecrypt.EncodeCursor(c.UpdatedAt, c.ID)
}

// MessageCursor is the cursor after m in a conversation's messages
// (timestamp, id).
func MessageCursor(m *switchboard.Message) string { return storecrypt.EncodeCursor(m.Timestamp, m.ID) }
