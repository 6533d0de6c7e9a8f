package seal

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
)

// DefaultCacheSize is the number of unwrapped data keys a Keyring keeps by
// default (about 100 bytes each plus cipher state, so a few tens of MiB).
const DefaultCacheSize = 50_000

// ErrUnknownMasterKey is returned when a wrapped data key names a master key
// the Keyring does not hold.
var ErrUnknownMasterKey = errors.New("seal: unknown master key")

// KeyLoader fetches a wrapped data key and the id of the master key that
// wrapped it. It is supplied by the store.
type KeyLoader func(ctx context.Context, id string) (masterKeyID string, wrapped []byte, err error)

// KeyringOption configures a Keyring.
type KeyringOption func(*Keyring) error

// WithCacheSize sets how many unwrapped data keys are cached (n >= 1).
func WithCacheSize(n int) KeyringOption {
	return func(r *Keyring) error {
		if n < 1 {
			return fmt.Errorf("seal: cache size %d must be at least 1", n)
		}
		r.capacity = n
		return nil
	}
}

// WithRetiredMasters adds master keys that may still unwrap older data keys
// during a rotation; new keys are always wrapped with the current master.
func WithRetiredMasters(mks ...*MasterKey) KeyringOption {
	return func(r *Keyring) error {
		for _, mk := range mks {
			if mk == nil {
				return errors.New("seal: nil retired master key")
			}
			if _, dup := r.masters[mk.id]; dup {
				return fmt.Errorf("seal: duplicate master key id %q", mk.id)
			}
			r.masters[mk.id] = mk
		}
		return nil
	}
}

// Keyring creates data keys and caches unwrapped ones. It is safe for
// concurrent use.
type Keyring struct {
	current  *MasterKey
	load     KeyLoader
	capacity int

	mu sync.Mutex
	// masters holds the master keys by id, current included; guarded by mu
	// because AddMasters and the lookup add to it while the Keyring is in
	// use (an online key rotation).
	masters map[string]*MasterKey
	// lookup finds a master key that masters lacks; see SetMasterLookup.
	lookup func(id string) (*MasterKey, error)
	lru    *list.List               // of *DataKey, most recently used at front
	items  map[string]*list.Element // by data key id
	// forgets counts Forget calls, so a load that raced with Forget does
	// not put an erased key back into the cache.
	forgets uint64
}

// NewKeyring returns a Keyring that wraps new data keys with current and
// loads existing ones through load.
func NewKeyring(current *MasterKey, load KeyLoader, opts ...KeyringOption) (*Keyring, error) {
	if current == nil {
		return nil, errors.New("seal: nil master key")
	}
	if load == nil {
		return nil, errors.New("seal: nil key loader")
	}
	r := &Keyring{
		current:  current,
		masters:  map[string]*MasterKey{current.id: current},
		load:     load,
		capacity: DefaultCacheSize,
		lru:      list.New(),
		items:    map[string]*list.Element{},
	}
	for _, opt := range opts {
		if err := opt(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Master returns the current master key, whose id must be persisted with
// every wrapped key returned by Create.
func (r *Keyring) Master() *MasterKey { return r.current }

// Create generates a new data key wrapped by the current master. The caller
// persists (key.ID(), r.Master().ID(), wrapped).
func (r *Keyring) Create() (key *DataKey, wrapped []byte, err error) {
	key, raw, err := GenerateDataKey()
	if err != nil {
		return nil, nil, err
	}
	wrapped, err = r.current.Wrap(key.id, raw)
	clear(raw)
	if err != nil {
		return nil, nil, err
	}
	r.mu.Lock()
	r.insertLocked(key)
	r.mu.Unlock()
	return key, wrapped, nil
}

// Get returns the data key with the given id, loading and unwrapping it on a
// cache miss. Concurrent misses for the same id may each call the loader.
func (r *Keyring) Get(ctx context.Context, id string) (*DataKey, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if el, ok := r.items[id]; ok {
		r.lru.MoveToFront(el)
		r.mu.Unlock()
		return el.Value.(*DataKey), nil
	}
	gen := r.forgets
	r.mu.Unlock()

	masterID, wrapped, err := r.load(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load data key %q: %w", id, err)
	}
	mk, ok := r.master(masterID)
	if !ok {
		return nil, fmt.Errorf("data key %q is wrapped by master key %q: %w", id, masterID, ErrUnknownMasterKey)
	}
	raw, err := mk.Unwrap(id, wrapped)
	if err != nil {
		return nil, err
	}
	key, err := NewDataKey(id, raw)
	clear(raw)
	if err != nil {
		return nil, err
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.items[id]; ok { // a concurrent miss got there first
		r.lru.MoveToFront(el)
		return el.Value.(*DataKey), nil
	}
	if r.forgets == gen {
		r.insertLocked(key)
	}
	return key, nil
}

// Forget drops a data key from the cache, e.g. after the contact was erased
// or the key was rewrapped. It does not touch stored keys.
func (r *Keyring) Forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forgets++
	if el, ok := r.items[id]; ok {
		r.lru.Remove(el)
		delete(r.items, id)
	}
}

// AddMasters adds master keys that may unwrap stored data keys, e.g. the
// retired masters kept after a rotation. It is safe while the Keyring is
// in use.
func (r *Keyring) AddMasters(mks ...*MasterKey) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, mk := range mks {
		if mk == nil {
			return errors.New("seal: nil master key")
		}
		if old, dup := r.masters[mk.id]; dup && old != mk {
			continue // the same id is the same key file, loaded twice
		}
		r.masters[mk.id] = mk
	}
	return nil
}

// SetMasterLookup sets a function that Get calls when a data key names a
// master key the Keyring does not hold. It lets a running server read data
// keys that `switchboard keys rotate` re-wrapped under a new master key
// while the server was running: the lookup finds the new key file by id.
func (r *Keyring) SetMasterLookup(lookup func(id string) (*MasterKey, error)) {
	r.mu.Lock()
	r.lookup = lookup
	r.mu.Unlock()
}

// master returns the master key with the given id, asking the lookup when
// it is not known yet.
func (r *Keyring) master(id string) (*MasterKey, bool) {
	r.mu.Lock()
	mk, ok := r.masters[id]
	lookup := r.lookup
	r.mu.Unlock()
	if ok || lookup == nil {
		return mk, ok
	}
	found, err := lookup(id)
	if err != nil || found == nil || found.id != id {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if mk, ok := r.masters[id]; ok {
		return mk, true
	}
	r.masters[id] = found
	return found, true
}

// Len reports how many data keys are cached.
func (r *Keyring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lru.Len()
}

func (r *Keyring) insertLocked(key *DataKey) {
	if el, ok := r.items[key.id]; ok {
		el.Value = key
		r.lru.MoveToFront(el)
		return
	}
	r.items[key.id] = r.lru.PushFront(key)
	for r.lru.Len() > r.capacity {
		oldest := r.lru.Back()
		r.lru.Remove(oldest)
		delete(r.items, oldest.Value.(*DataKey).id)
	}
}
