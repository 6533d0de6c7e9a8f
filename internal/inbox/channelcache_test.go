package inbox

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestChannelCacheSnapshot checks the webhook path's channel cache: many
// concurrent readers share one snapshot without locking, and a channel
// created and invalidated meanwhile is seen by the next read.
func TestChannelCacheSnapshot(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := New(store, nil, nil)
	channel := func(phone string) *switchboard.Channel {
		ch := &switchboard.Channel{Name: "Channel " + phone, PhoneNumberID: phone, WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
			AccessToken: "token-" + phone, AppSecret: "secret-" + phone, VerifyToken: "verify-" + phone}
		if err := store.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	a := channel("100001")
	_, first, err := s.cachedChannels(ctx, false)
	if err != nil || first["100001"] == nil || first["100001"].ID != a.ID {
		t.Fatalf("first read = %v, %v; want channel %s", first, err, a.ID)
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				_, byPhone, err := s.cachedChannels(ctx, false)
				if err != nil || byPhone["100001"] == nil {
					t.Errorf("read during invalidation = %v, %v", byPhone, err)
					return
				}
			}
		})
	}
	b := channel("100002")
	s.InvalidateChannels()
	wg.Wait()
	_, after, err := s.cachedChannels(ctx, false)
	if err != nil || after["100002"] == nil || after["100002"].ID != b.ID {
		t.Fatalf("read after invalidation = %v, %v; want channel %s too", after, err, b.ID)
	}
	// Unchanged channels come from the same snapshot: no reload per read.
	if _, again, _ := s.cachedChannels(ctx, false); len(again) != 2 || again["100002"] != after["100002"] {
		t.Error("a second read reloaded the channels")
	}
}

// BenchmarkCachedChannels reads the channel cache from every core at once,
// as the webhook handlers do.
func BenchmarkCachedChannels(b *testing.B) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(b), Migrate: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	if err := store.CreateChannel(ctx, &switchboard.Channel{Name: "Channel", PhoneNumberID: "100001", WABAID: "waba1",
		DisplayPhoneNumber: "+49 30 1234567", AccessToken: "token", AppSecret: "secret", VerifyToken: "verify"}); err != nil {
		b.Fatal(err)
	}
	s := New(store, nil, nil)
	b.SetParallelism(64) // many handlers per core
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.cachedChannels(ctx, false); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
