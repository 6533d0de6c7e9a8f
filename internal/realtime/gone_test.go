package realtime

import (
	"testing"
	"time"
)

// TestUserGoneAfterLastTab: OnUserGone fires once a user's last
// subscription is closed by its owner, not while another tab of theirs is
// open, and not for another user's tabs; a tab that reconnects in time
// keeps them (the check runs when the grace ends).
func TestUserGoneAfterLastTab(t *testing.T) {
	gone := make(chan string, 4)
	h := newTestHub(t, Options{OnUserGone: func(id string) { gone <- id }})
	a1 := mustSubscribe(t, h, "ana", allowAll, 0)
	a2 := mustSubscribe(t, h, "ana", allowAll, 0)
	b := mustSubscribe(t, h, "ben", allowAll, 0)
	a1.Close()
	b.Close()
	if id := <-gone; id != "ben" {
		t.Fatalf("gone = %s, want ben first (ana has a tab open)", id)
	}
	a2.Close()
	if id := <-gone; id != "ana" {
		t.Fatalf("gone = %s, want ana", id)
	}
	// Closing twice counts once.
	a2.Close()
	c := mustSubscribe(t, h, "cleo", allowAll, 0)
	c.Close()
	if id := <-gone; id != "cleo" {
		t.Fatalf("gone = %s, want cleo (no second ana)", id)
	}
	// A reconnect within the grace keeps the user: the check (what the
	// timer runs, called here instead of waiting for it) sees the new tab.
	late := make(chan string, 4)
	h2 := newTestHub(t, Options{OnUserGone: func(id string) { late <- id }, IdleGrace: time.Hour})
	d := mustSubscribe(t, h2, "dan", allowAll, 0)
	d.Close()
	d2 := mustSubscribe(t, h2, "dan", allowAll, 0)
	h2.userGone("dan")
	if len(late) != 0 {
		t.Fatalf("dan gone while a tab is open")
	}
	d2.Close()
	h2.userGone("dan")
	if id := <-late; id != "dan" {
		t.Fatalf("gone = %s, want dan", id)
	}
}
