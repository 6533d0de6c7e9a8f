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
	m  map[string]sender
}

// sender is what a message shows of who sent it.
type sender struct {
	name string
	bot  bool // a bot service account (switchboard.AuthorBot)
}

// maxCachedNames bounds the cache; it starts over when full.
const maxCachedNames = 10000

func (c *nameCache) get(id string) (sender, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.m[id]
	return n, ok
}

func (c *nameCache) put(id string, v sender) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedNames {
		c.m = map[string]sender{}
	}
	c.m[id] = v
}

func (c *nameCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// nameSenders sets SenderName on outbound messages from the users' current
// names, and Author on every message (a bot service account's messages
// are the bot's). A sender that no longer exists keeps an empty name;
// lookups that fail for other reasons are left for the next request.
func (s *Service) nameSenders(ctx context.Context, msgs ...*switchboard.Message) {
	for _, m := range msgs {
		if m.SenderID == "" {
			m.Author = m.DeriveAuthor(false)
			continue
		}
		if n, ok := s.senders.get(m.SenderID); ok {
			m.SenderName, m.Author = n.name, m.DeriveAuthor(n.bot)
			continue
		}
		u, err := s.Store.User(ctx, m.SenderID)
		switch {
		case err == nil:
			v := sender{name: u.Name}
			sa, err := s.Store.ServiceAccount(ctx, u.ID)
			if err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
				s.Logger.Warn("look up message sender", "err", err)
				m.SenderName, m.Author = u.Name, m.DeriveAuthor(false)
				continue
			}
			v.bot = err == nil && sa.Bot
			s.senders.put(u.ID, v)
			m.SenderName, m.Author = v.name, m.DeriveAuthor(v.bot)
		case switchboard.ErrorCode(err) == switchboard.ENotFound:
			s.senders.put(m.SenderID, sender{})
			m.Author = m.DeriveAuthor(false)
		default:
			s.Logger.Warn("look up message sender", "err", err)
			m.Author = m.DeriveAuthor(false)
		}
	}
}
