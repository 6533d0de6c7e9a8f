package switchboard

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Routing (issue 15): who is available, teams a conversation can be
// assigned to as one, and the automatic assignment of new and waiting
// conversations. The rules are here; the stores keep the facts
// ([RoutingStore]) and inbox.Service decides who may change them.

// Availability is whether an employee takes conversations now: set by the
// user, and offline again once their last tab closes.
type Availability string

// The availabilities. The zero value reads as offline.
const (
	AvailabilityOnline  Availability = "online"
	AvailabilityAway    Availability = "away"
	AvailabilityOffline Availability = "offline"
)

// Valid reports whether v is one of the availabilities.
func (v Availability) Valid() bool {
	switch v {
	case AvailabilityOnline, AvailabilityAway, AvailabilityOffline:
		return true
	}
	return false
}

// Team is a group of users a conversation can be assigned to as one: its
// members see and work on it as if it were assigned to each of them
// ([CanWorkOnConversation]), within their role's channels.
type Team struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	MemberIDs []string  `json:"member_ids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Team limits.
const (
	MaxTeamName    = 80
	MaxTeamMembers = 500
	MaxTeams       = 200
)

// Errors of the teams, the same on every store.
var (
	ErrTeamName    = &Error{Code: EInvalid, Message: "A team needs a name of at most 80 characters."}
	ErrTeamMembers = &Error{Code: EInvalid, Message: "A team has at most 500 members, each a valid user id."}
	ErrTeamExists  = &Error{Code: EConflict, Message: "Team already exists."}
	// ErrAvailability: not online, away or offline.
	ErrAvailability = &Error{Code: EInvalid, Message: "Availability must be online, away or offline."}
)

// Normalize trims the name and sorts and dedupes the members, the stored
// form.
func (t *Team) Normalize() {
	t.Name = strings.TrimSpace(t.Name)
	t.MemberIDs = slices.Compact(slices.Sorted(slices.Values(t.MemberIDs)))
	if t.MemberIDs == nil {
		t.MemberIDs = []string{}
	}
}

// Validate normalizes t and checks its limits.
func (t *Team) Validate() error {
	t.Normalize()
	if t.Name == "" || utf8.RuneCountInString(t.Name) > MaxTeamName {
		return ErrTeamName
	}
	if len(t.MemberIDs) > MaxTeamMembers {
		return ErrTeamMembers
	}
	for _, id := range t.MemberIDs {
		if !ValidID(id) {
			return ErrTeamMembers
		}
	}
	return nil
}

// teamPrefix marks a team among a conversation's assignee ids
// ([Conversation.AssigneeIDs]): the rules and the hub see a team
// assignment as one more assignee, which every member of the team is.
const teamPrefix = "team:"

// TeamAssignee is the assignee id of team teamID.
func TeamAssignee(teamID string) string { return teamPrefix + teamID }

// assignedTo reports whether the actor is among assignees, in person or
// through one of their teams.
func (a *Actor) assignedTo(assignees []string) bool {
	for _, id := range assignees {
		if id == a.User.ID {
			return true
		}
		if t, ok := strings.CutPrefix(id, teamPrefix); ok && slices.Contains(a.TeamIDs, t) {
			return true
		}
	}
	return false
}

// AutoAssignMode is how a channel hands out its conversations.
type AutoAssignMode string

// The modes; off is the default.
const (
	AutoAssignOff        AutoAssignMode = "off"
	AutoAssignRoundRobin AutoAssignMode = "round_robin"
	AutoAssignLeastBusy  AutoAssignMode = "least_busy"
)

// RoutingSettings are a channel's automatic assignment: off by default;
// otherwise new conversations go to an online employee of TeamIDs or
// RoleIDs (any of them; both empty means every employee) who may reply on
// the channel and has fewer than Capacity open conversations, and an
// unassigned conversation waiting longer than ReofferAfter is offered
// again.
type RoutingSettings struct {
	ChannelID    string         `json:"channel_id"`
	Mode         AutoAssignMode `json:"mode"`
	TeamIDs      []string       `json:"team_ids"`
	RoleIDs      []string       `json:"role_ids"`
	Capacity     int            `json:"capacity"`
	ReofferAfter time.Duration  `json:"-"`
	// LastAssignedID is the user the channel's round robin gave the last
	// conversation; the next one goes to whoever follows them.
	LastAssignedID string    `json:"-"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Routing limits and defaults.
const (
	DefaultCapacity     = 10
	MaxCapacity         = 1000
	DefaultReofferAfter = 10 * time.Minute
	MinReofferAfter     = time.Minute
	MaxReofferAfter     = 7 * 24 * time.Hour
	maxRoutingGroups    = 50
)

// ErrRoutingSettings is the one error of invalid settings.
var ErrRoutingSettings = &Error{Code: EInvalid, Message: "Automatic assignment needs a mode (off, round_robin or least_busy), a capacity from 1 to 1000, a re-offer time from 1 minute to 7 days and at most 50 teams and 50 roles."}

// Validate fills the defaults (off, capacity 10, re-offer after 10
// minutes, empty lists) and checks the limits.
func (r *RoutingSettings) Validate() error {
	if r.Mode == "" {
		r.Mode = AutoAssignOff
	}
	if r.Capacity == 0 {
		r.Capacity = DefaultCapacity
	}
	if r.ReofferAfter == 0 {
		r.ReofferAfter = DefaultReofferAfter
	}
	r.TeamIDs = slices.Compact(slices.Sorted(slices.Values(r.TeamIDs)))
	r.RoleIDs = slices.Compact(slices.Sorted(slices.Values(r.RoleIDs)))
	if r.TeamIDs == nil {
		r.TeamIDs = []string{}
	}
	if r.RoleIDs == nil {
		r.RoleIDs = []string{}
	}
	switch r.Mode {
	case AutoAssignOff, AutoAssignRoundRobin, AutoAssignLeastBusy:
	default:
		return ErrRoutingSettings
	}
	if r.Capacity < 1 || r.Capacity > MaxCapacity || r.ReofferAfter < MinReofferAfter || r.ReofferAfter > MaxReofferAfter ||
		len(r.TeamIDs) > maxRoutingGroups || len(r.RoleIDs) > maxRoutingGroups {
		return ErrRoutingSettings
	}
	for _, id := range append(slices.Clone(r.TeamIDs), r.RoleIDs...) {
		if id == "" || len(id) > 64 {
			return ErrRoutingSettings
		}
	}
	return nil
}

// Candidate is one employee the automatic assignment may choose, with
// what the rule needs to know about them.
type Candidate struct {
	User         *User
	Role         *Role
	TeamIDs      []string
	Availability Availability
	// Open is the number of open conversations assigned to them.
	Open int
}

// Entitled reports whether c may be given a conversation on channelID at
// all, available or not: active, and a role that may reply there
// ([Role.CanReplyOn]). The same rule refuses a manual assignment.
func (c *Candidate) Entitled(channelID string) bool {
	return c.User != nil && c.User.Active && c.Role != nil && c.Role.CanReplyOn(channelID)
}

// eligible reports whether the settings' groups include c.
func (r *RoutingSettings) eligible(c *Candidate) bool {
	if len(r.TeamIDs) == 0 && len(r.RoleIDs) == 0 {
		return true
	}
	if slices.Contains(r.RoleIDs, c.User.RoleID) {
		return true
	}
	for _, t := range c.TeamIDs {
		if slices.Contains(r.TeamIDs, t) {
			return true
		}
	}
	return false
}

// PickAssignee is the automatic assignment's decision for one
// conversation on r.ChannelID: among the candidates who are entitled
// ([Candidate.Entitled]), in the settings' teams or roles, online, and
// below the capacity, round robin takes the first in user id order after
// r.LastAssignedID (wrapping around), least busy the one with the fewest
// open conversations (ties: the one round robin would take). It returns
// nil when the channel's assignment is off or nobody fits.
func PickAssignee(r *RoutingSettings, candidates []*Candidate) *Candidate {
	if r == nil || (r.Mode != AutoAssignRoundRobin && r.Mode != AutoAssignLeastBusy) {
		return nil
	}
	capacity := r.Capacity
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	var fit []*Candidate
	for _, c := range candidates {
		if c.Entitled(r.ChannelID) && r.eligible(c) && c.Availability == AvailabilityOnline && c.Open < capacity {
			fit = append(fit, c)
		}
	}
	if len(fit) == 0 {
		return nil
	}
	slices.SortFunc(fit, func(a, b *Candidate) int { return strings.Compare(a.User.ID, b.User.ID) })
	// Round-robin order: those after the last one first, then from the start.
	start := 0
	for start < len(fit) && fit[start].User.ID <= r.LastAssignedID {
		start++
	}
	order := append(fit[start:len(fit):len(fit)], fit[:start]...)
	if r.Mode == AutoAssignRoundRobin {
		return order[0]
	}
	best := order[0]
	for _, c := range order[1:] {
		if c.Open < best.Open {
			best = c
		}
	}
	return best
}

// Deactivation options: what happens to the conversations of a user who
// is deactivated.
const (
	// DeactivateUnassign takes them off their conversations, which count
	// as unassigned and are offered again by the automatic assignment.
	DeactivateUnassign = "unassign"
	// DeactivateReassign gives their conversations to another user.
	DeactivateReassign = "reassign"
	// DeactivateKeep leaves the assignments (the conversations count as
	// unassigned all the same: [Conversation.Unassigned]).
	DeactivateKeep = "keep"
)

// RoutingStore keeps the routing facts: teams and their members, who is
// available, the team a conversation is assigned to, the channels'
// settings, and what the automatic assignment reads.
type RoutingStore interface {
	// CreateTeam validates and stores t with a new id; a name taken
	// (case-insensitively) is [ErrTeamExists].
	CreateTeam(ctx context.Context, t *Team) error
	// UpdateTeam replaces the name and members of team t.ID.
	UpdateTeam(ctx context.Context, t *Team) error
	// DeleteTeam deletes a team; its conversations lose their team.
	DeleteTeam(ctx context.Context, id string) error
	Team(ctx context.Context, id string) (*Team, error)
	// Teams lists every team by name.
	Teams(ctx context.Context) ([]*Team, error)
	// UserTeamIDs returns the ids of the teams userID belongs to, sorted.
	UserTeamIDs(ctx context.Context, userID string) ([]string, error)

	// SetAvailability stores a user's availability.
	SetAvailability(ctx context.Context, userID string, v Availability, at time.Time) error
	// Availabilities returns the availability of every user who set one;
	// the others are offline.
	Availabilities(ctx context.Context) (map[string]Availability, error)

	// SetConversationTeam assigns a conversation to a team, or to none
	// with teamID "", and returns it.
	SetConversationTeam(ctx context.Context, conversationID, teamID string) (*Conversation, error)

	// RoutingSettings returns a channel's settings, the defaults (off)
	// when none were stored.
	RoutingSettings(ctx context.Context, channelID string) (*RoutingSettings, error)
	// SetRoutingSettings validates and stores a channel's settings.
	SetRoutingSettings(ctx context.Context, r *RoutingSettings) error
	// SetLastAssigned records the user a channel's round robin gave the
	// last conversation.
	SetLastAssigned(ctx context.Context, channelID, userID string) error
	// OpenAssignedCounts returns, per user, the open conversations assigned
	// to them.
	OpenAssignedCounts(ctx context.Context) (map[string]int, error)
	// WaitingUnassigned returns the ids of open conversations on channelID
	// that are unassigned ([Conversation.Unassigned]) and were created or
	// last active before before, oldest first, at most limit.
	WaitingUnassigned(ctx context.Context, channelID string, before time.Time, limit int) ([]string, error)
}
