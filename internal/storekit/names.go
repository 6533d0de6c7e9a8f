package storekit

import (
	"bytes"
	"strings"
	"sync"
)

// NameCache remembers contacts' decrypted names by their sealed form, so
// that a returning customer's name is not decrypted again for every
// message. An entry is used only while the stored ciphertext is the one it
// was made from, so it can never be stale. The zero value is ready to use.
type NameCache struct {
	mu sync.Mutex
	m  map[string]cachedName
}

type cachedName struct {
	sealed []byte
	name   string
}

// MaxCachedNames bounds the cache; it is simply emptied when full.
const MaxCachedNames = 50_000

// Get returns the name cached for the contact while sealed is still its
// stored ciphertext.
func (c *NameCache) Get(contactID string, sealed []byte) (string, bool) {
	if sealed == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[contactID]
	if !ok || !bytes.Equal(e.sealed, sealed) {
		return "", false
	}
	return e.name, true
}

// Put caches name as the plaintext of sealed. A contact without a sealed
// name (nil) is not cached: nil would otherwise match every later nil and
// hand out a name for a contact that no longer has one.
func (c *NameCache) Put(contactID string, sealed []byte, name string) {
	if sealed == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= MaxCachedNames {
		c.m = map[string]cachedName{}
	}
	c.m[contactID] = cachedName{sealed: sealed, name: strings.Clone(name)}
}

// Forget drops the contacts' entries, after an edit or an erasure.
func (c *NameCache) Forget(contactIDs ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range contactIDs {
		delete(c.m, id)
	}
}

// MaxChainPage bounds one AuditChain page; VerifyAuditChain asks for 1000.
const MaxChainPage = 10000

// ChainPage is the page size AuditChain uses for a requested limit: 1000
// when none is given, at most [MaxChainPage].
func ChainPage(limit int) int {
	if limit <= 0 {
		return 1000
	}
	return min(limit, MaxChainPage)
}
