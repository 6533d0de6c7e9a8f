package inbox

import (
	"context"
	"sync"

	"github.com/switchboardhq/switchboard"
)

// nameCache remembers users' display names for Message.SenderName, so a
// page of history costs no user lookups once the team is known. Renames
// go through UpdateUser, which forgets the entry.
type nameCache struct {
	mu sync.Mutex
	m  map[string]string
}

// maxCachedNames bounds the cache; it starts over when full.
const maxCachedNames = 10000

func (c *nameCache) get(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.m[id]
	return n, ok
}

func (c *nameCache) put(id, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedNames {
		c.m = map[string]string{}
	}
	c.m[id] = name
}

func (c *nameCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// nameSenders sets SenderName on outbound messages from the users' current
// names. A sender that no longer exists keeps an empty name; lookups that
// fail for other reasons are left for the next request.
func (s *Service) nameSenders(ctx context.Context, msgs ...*switchboard.Message) {
	for _, m := range msgs {
		if m.SenderID == "" {
			continue
		}
		if n, ok := s.senders.get(m.SenderID); ok {
			m.SenderName = n
			continue
		}
		u, err := s.Store.User(ctx, m.SenderID)
		switch {
		case err == nil:
			s.senders.put(u.ID, u.Name)
			m.SenderName = u.Name
		case switchboard.ErrorCode(err) == switchboard.ENotFound:
			s.senders.put(m.SenderID, "")
		default:
			s.Logger.Warn("look up message sender", "err", err)
		}
	}
}
