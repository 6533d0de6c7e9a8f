package seal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeStore is an in-memory stand-in for the data_keys table.
type fakeStore struct {
	mu    sync.Mutex
	rows  map[string]storedKey
	loads atomic.Int64
}

type storedKey struct {
	masterID string
	wrapped  []byte
}

func newFakeStore() *fakeStore { return &fakeStore{rows: map[string]storedKey{}} }

func (s *fakeStore) put(id, masterID string, wrapped []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows[id] = storedKey{masterID, wrapped}
}

func (s *fakeStore) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rows, id)
}

var errNotFound = errors.New("not found")

func (s *fakeStore) load(_ context.Context, id string) (string, []byte, error) {
	s.loads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	row, ok := s.rows[id]
	if !ok {
		return "", nil, errNotFound
	}
	return row.masterID, row.wrapped, nil
}

func newTestKeyring(t *testing.T, opts ...KeyringOption) (*Keyring, *fakeStore) {
	t.Helper()
	st := newFakeStore()
	r, err := NewKeyring(mustMasterKey(t, "mk_current"), st.load, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r, st
}

func TestKeyringCreateGetForget(t *testing.T) {
	ctx := context.Background()
	r, st := newTestKeyring(t)
	key, wrapped, err := r.Create()
	if err != nil {
		t.Fatal(err)
	}
	st.put(key.ID(), r.Master().ID(), wrapped)
	aad := AAD("contacts", "name", "1")
	sealed := key.Seal(aad, []byte("Jürgen"))

	// Create caches the key; drop it to exercise the loader.
	r.Forget(key.ID())
	for range 3 {
		got, err := r.Get(ctx, key.ID())
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := got.Open(aad, sealed); err != nil || string(pt) != "Jürgen" {
			t.Fatalf("Open with loaded key: %q, %v", pt, err)
		}
	}
	if n := st.loads.Load(); n != 1 {
		t.Fatalf("loader called %d times, want 1", n)
	}

	r.Forget(key.ID())
	if _, err := r.Get(ctx, key.ID()); err != nil {
		t.Fatal(err)
	}
	if n := st.loads.Load(); n != 2 {
		t.Fatalf("after Forget loader called %d times, want 2", n)
	}

	// Crypto-shredding: once the stored key is gone and forgotten, the
	// ciphertext is unreadable.
	st.delete(key.ID())
	r.Forget(key.ID())
	if _, err := r.Get(ctx, key.ID()); !errors.Is(err, errNotFound) {
		t.Fatalf("Get after erase: err = %v, want loader error", err)
	}
}

func TestKeyringUnknownMaster(t *testing.T) {
	r, st := newTestKeyring(t)
	old := mustMasterKey(t, "mk_retired")
	k, raw, _ := GenerateDataKey()
	wrapped, _ := old.Wrap(k.ID(), raw)
	st.put(k.ID(), old.ID(), wrapped)

	_, err := r.Get(context.Background(), k.ID())
	if !errors.Is(err, ErrUnknownMasterKey) {
		t.Fatalf("err = %v, want ErrUnknownMasterKey", err)
	}
	if want := `"mk_retired"`; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not name %s", err, want)
	}

	// With the retired master registered the key loads.
	r2, err := NewKeyring(r.Master(), st.load, WithRetiredMasters(old))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Get(context.Background(), k.ID()); err != nil {
		t.Fatalf("Get with retired master: %v", err)
	}
}

func TestKeyringWrongMasterForID(t *testing.T) {
	// A row claiming the current master but wrapped by another key fails
	// to unwrap instead of yielding garbage.
	r, st := newTestKeyring(t)
	k, raw, _ := GenerateDataKey()
	wrapped, _ := mustMasterKey(t, "mk_evil").Wrap(k.ID(), raw)
	st.put(k.ID(), r.Master().ID(), wrapped)
	if _, err := r.Get(context.Background(), k.ID()); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("err = %v, want ErrDecrypt", err)
	}
}

func TestKeyringEviction(t *testing.T) {
	ctx := context.Background()
	r, st := newTestKeyring(t, WithCacheSize(2))
	var ids []string
	for range 3 {
		k, w, err := r.Create()
		if err != nil {
			t.Fatal(err)
		}
		st.put(k.ID(), r.Master().ID(), w)
		ids = append(ids, k.ID())
	}
	if r.Len() != 2 {
		t.Fatalf("Len = %d, want 2", r.Len())
	}
	// ids[0] was evicted, ids[1] and ids[2] are cached.
	for _, id := range ids[1:] {
		if _, err := r.Get(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.loads.Load(); n != 0 {
		t.Fatalf("cached keys were loaded %d times", n)
	}
	if _, err := r.Get(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if n := st.loads.Load(); n != 1 {
		t.Fatalf("evicted key: loads = %d, want 1", n)
	}
}

func TestKeyringOptionsValidation(t *testing.T) {
	mk := mustMasterKey(t, "mk_current")
	load := newFakeStore().load
	tests := []struct {
		name string
		mk   *MasterKey
		load KeyLoader
		opts []KeyringOption
	}{
		{"nil master", nil, load, nil},
		{"nil loader", mk, nil, nil},
		{"zero cache", mk, load, []KeyringOption{WithCacheSize(0)}},
		{"duplicate master id", mk, load, []KeyringOption{WithRetiredMasters(mustMasterKey(t, "mk_current"))}},
		{"nil retired", mk, load, []KeyringOption{WithRetiredMasters(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewKeyring(tt.mk, tt.load, tt.opts...); err == nil {
				t.Fatal("NewKeyring succeeded")
			}
		})
	}
}

func TestKeyringConcurrent(t *testing.T) {
	ctx := context.Background()
	r, st := newTestKeyring(t, WithCacheSize(8))
	var ids []string
	for range 32 {
		k, w, err := r.Create()
		if err != nil {
			t.Fatal(err)
		}
		st.put(k.ID(), r.Master().ID(), w)
		ids = append(ids, k.ID())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				id := ids[(g*7+i)%len(ids)]
				if i%50 == 0 {
					r.Forget(id)
				}
				k, err := r.Get(ctx, id)
				if err != nil {
					errs <- err
					return
				}
				if k.ID() != id {
					errs <- fmt.Errorf("got key %s for %s", k.ID(), id)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if r.Len() > 8 {
		t.Fatalf("cache grew to %d entries, cap 8", r.Len())
	}
}

func TestKeyringForgetDuringLoad(t *testing.T) {
	// A load that started before Forget must not re-cache the erased key.
	ctx := context.Background()
	st := newFakeStore()
	entered, release := make(chan struct{}), make(chan struct{})
	var block atomic.Bool
	block.Store(true)
	load := func(ctx context.Context, id string) (string, []byte, error) {
		if block.Load() {
			close(entered)
			<-release
		}
		return st.load(ctx, id)
	}
	r, err := NewKeyring(mustMasterKey(t, "mk_current"), load)
	if err != nil {
		t.Fatal(err)
	}
	k, w, _ := r.Create()
	st.put(k.ID(), r.Master().ID(), w)
	r.Forget(k.ID())

	done := make(chan error)
	go func() {
		_, err := r.Get(ctx, k.ID())
		done <- err
	}()
	<-entered
	r.Forget(k.ID())
	block.Store(false)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r.Len() != 0 {
		t.Fatal("key forgotten during its load was cached")
	}
}
