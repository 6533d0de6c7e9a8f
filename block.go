package switchboard

import "time"

// PermContactsBlock lets a role block and unblock customers on WhatsApp in
// the conversations it can see. A blocked customer cannot write to the
// business, and the business cannot write to them. Built in, the
// administrator and the chat operator have it.
const PermContactsBlock Permission = "contacts.block"

// ContactBlock is who blocked a contact and when.
type ContactBlock struct {
	By string    // user id
	At time.Time // UTC
}

// SetBlock applies a block (nil: unblocked) to the contact's fields.
func (c *Contact) SetBlock(b *ContactBlock) {
	if b == nil {
		c.Blocked, c.BlockedAt, c.BlockedBy = false, nil, ""
		return
	}
	at := b.At.UTC()
	c.Blocked, c.BlockedAt, c.BlockedBy = true, &at, b.By
}
