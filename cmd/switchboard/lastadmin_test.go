package main

import (
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard"
)

// TestAdminsDemotingEachOtherKeepOne: two administrators demoting each
// other at the same moment cannot both pass the last-administrator check;
// one change wins and one is refused with 409, every round.
func TestAdminsDemotingEachOtherKeepOne(t *testing.T) {
	app := startApp(t, nil)
	first := app.setupAdmin()
	var me struct{ User switchboard.User }
	first.must(200, "GET", "/api/v1/me", nil, &me)
	second, su := app.createUser(first, "zweite", switchboard.RoleAdmin)
	for round := range 10 {
		var wg sync.WaitGroup
		codes := make([]int, 2)
		wg.Go(func() {
			codes[0], _ = first.do("PATCH", "/api/v1/users/"+su.ID, map[string]string{"role_id": switchboard.RoleEmployee})
		})
		wg.Go(func() {
			codes[1], _ = second.do("PATCH", "/api/v1/users/"+me.User.ID, map[string]string{"role_id": switchboard.RoleEmployee})
		})
		wg.Wait()
		if (codes[0] == 200) == (codes[1] == 200) {
			t.Fatalf("round %d: demotions answered %v, want exactly one 200 (and one 409)", round, codes)
		}
		// Make both administrators again; a demotion ends the sessions'
		// sockets only, so the winner's session still works.
		winner, loserID := first, su.ID
		if codes[1] == 200 {
			winner, loserID = second, me.User.ID
		}
		winner.must(200, "PATCH", "/api/v1/users/"+loserID, map[string]string{"role_id": switchboard.RoleAdmin}, nil)
	}
}
