package storekit

import (
	"encoding/json"

	"github.com/switchboardhq/switchboard"
)

// RoutingListColumns returns the stored form of a channel's routing
// groups: its team and role ids as JSON arrays.
func RoutingListColumns(r *switchboard.RoutingSettings) (teams, roles string) {
	t, _ := json.Marshal(r.TeamIDs)
	ro, _ := json.Marshal(r.RoleIDs)
	return string(t), string(ro)
}

// RoutingLists reads the stored form of [RoutingListColumns] into r.
func RoutingLists(r *switchboard.RoutingSettings, teams, roles string) error {
	if err := json.Unmarshal([]byte(teams), &r.TeamIDs); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(roles), &r.RoleIDs); err != nil {
		return err
	}
	if r.TeamIDs == nil {
		r.TeamIDs = []string{}
	}
	if r.RoleIDs == nil {
		r.RoleIDs = []string{}
	}
	return nil
}
