package inbox

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
)

// Routing (docs/routing.md): teams, availability, assigning to a team and
// the channels' automatic assignment. The decision of whom to give a
// conversation is [switchboard.PickAssignee]; this file gathers its facts
// and carries it out.

// EventUserAvailability tells the users who may list users that someone's
// availability changed; Data is an [AvailabilityEvent].
const EventUserAvailability = "user.availability"

// AvailabilityEvent is the data of [EventUserAvailability].
type AvailabilityEvent struct {
	UserID       string                   `json:"user_id"`
	Availability switchboard.Availability `json:"availability"`
}

// Teams lists the teams; it needs users.read or users.manage (the assign
// menu and the list filter show them).
func (s *Service) Teams(ctx context.Context, a *switchboard.Actor) ([]*switchboard.Team, error) {
	if !a.Can(switchboard.PermUsersRead) && !a.Can(switchboard.PermUsersManage) && !a.Can(switchboard.PermConversationsAssign) {
		return nil, forbidden()
	}
	return s.Store.Teams(ctx)
}

// CreateTeam creates a team; it needs users.manage and is audited.
func (s *Service) CreateTeam(ctx context.Context, a *switchboard.Actor, t *switchboard.Team) (*switchboard.Team, error) {
	if !a.Can(switchboard.PermUsersManage) {
		s.audit(ctx, a, "team.create", "team", "", switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	teams, err := s.Store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	if len(teams) >= switchboard.MaxTeams {
		return nil, switchboard.Errorf(switchboard.EInvalid, "There can be at most %d teams.", switchboard.MaxTeams)
	}
	n := &switchboard.Team{Name: t.Name, MemberIDs: t.MemberIDs}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateTeam(ctx, n); err != nil {
		return nil, err
	}
	s.audit(ctx, a, "team.create", "team", n.ID, switchboard.OutcomeSuccess, map[string]string{"members": strconv.Itoa(len(n.MemberIDs))})
	s.disconnectAll(n.MemberIDs)
	return n, nil
}

// UpdateTeam renames a team and replaces its members; it needs
// users.manage and is audited. The members who joined or left reconnect,
// so that their live events follow their new teams.
func (s *Service) UpdateTeam(ctx context.Context, a *switchboard.Actor, t *switchboard.Team) (*switchboard.Team, error) {
	if !a.Can(switchboard.PermUsersManage) {
		s.audit(ctx, a, "team.update", "team", t.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if !switchboard.ValidID(t.ID) {
		return nil, switchboard.NotFound("Team")
	}
	old, err := s.Store.Team(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	n := &switchboard.Team{ID: t.ID, Name: t.Name, MemberIDs: t.MemberIDs}
	if err := s.Store.UpdateTeam(ctx, n); err != nil {
		return nil, err
	}
	s.audit(ctx, a, "team.update", "team", n.ID, switchboard.OutcomeSuccess, map[string]string{"members": strconv.Itoa(len(n.MemberIDs))})
	var changed []string
	for _, id := range old.MemberIDs {
		if !slices.Contains(n.MemberIDs, id) {
			changed = append(changed, id)
		}
	}
	for _, id := range n.MemberIDs {
		if !slices.Contains(old.MemberIDs, id) {
			changed = append(changed, id)
		}
	}
	s.disconnectAll(changed)
	return n, nil
}

// DeleteTeam deletes a team; its conversations lose their team. It needs
// users.manage and is audited.
func (s *Service) DeleteTeam(ctx context.Context, a *switchboard.Actor, id string) error {
	if !a.Can(switchboard.PermUsersManage) {
		s.audit(ctx, a, "team.delete", "team", id, switchboard.OutcomeDenied, nil)
		return forbidden()
	}
	if !switchboard.ValidID(id) {
		return switchboard.NotFound("Team")
	}
	old, err := s.Store.Team(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteTeam(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, a, "team.delete", "team", id, switchboard.OutcomeSuccess, nil)
	s.disconnectAll(old.MemberIDs)
	return nil
}

func (s *Service) disconnectAll(ids []string) {
	for _, id := range ids {
		s.disconnect(id)
	}
}

// SetAvailability sets the actor's own availability and tells everyone who
// may list users.
func (s *Service) SetAvailability(ctx context.Context, a *switchboard.Actor, v switchboard.Availability) error {
	if a == nil || a.User == nil || !a.User.Active || a.EnrolmentOnly {
		return forbidden()
	}
	if !v.Valid() {
		return switchboard.ErrAvailability
	}
	if err := s.Store.SetAvailability(ctx, a.User.ID, v, s.now()); err != nil {
		return err
	}
	s.publishAvailability(ctx, a.User.ID, v)
	return nil
}

func (s *Service) publishAvailability(ctx context.Context, userID string, v switchboard.Availability) {
	if s.Events == nil {
		return
	}
	s.Events.Publish(ctx, switchboard.Event{
		Type: EventUserAvailability, At: s.now(), Data: AvailabilityEvent{UserID: userID, Availability: v},
		Permission: switchboard.PermUsersRead, Also: []string{userID},
	})
}

// MyAvailability returns the actor's own availability (offline when they
// never set one, or it cannot be read).
func (s *Service) MyAvailability(ctx context.Context, a *switchboard.Actor) switchboard.Availability {
	if a == nil || a.User == nil {
		return switchboard.AvailabilityOffline
	}
	av, err := s.Store.Availabilities(ctx)
	if err != nil || av[a.User.ID] == "" {
		return switchboard.AvailabilityOffline
	}
	return av[a.User.ID]
}

// UserGone sets a user offline once their last live connection closed
// (internal/realtime calls it), unless they are offline already.
func (sys *System) UserGone(ctx context.Context, userID string) {
	s := sys.svc
	av, err := s.Store.Availabilities(ctx)
	if err != nil {
		s.Logger.Warn("read availability", "err", err)
		return
	}
	if v, ok := av[userID]; !ok || v == switchboard.AvailabilityOffline {
		return
	}
	if err := s.Store.SetAvailability(ctx, userID, switchboard.AvailabilityOffline, s.now()); err != nil {
		s.Logger.Warn("set offline", "err", err)
		return
	}
	s.publishAvailability(ctx, userID, switchboard.AvailabilityOffline)
}

// withAvailability fills the availability of users.
func (s *Service) withAvailability(ctx context.Context, users []*switchboard.User) error {
	av, err := s.Store.Availabilities(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		u.Availability = av[u.ID]
		if u.Availability == "" {
			u.Availability = switchboard.AvailabilityOffline
		}
	}
	return nil
}

// AssignTeam assigns a conversation to a team, or to none with teamID "";
// it needs conversations.assign. The team's members then see and work on
// it ([switchboard.CanWorkOnConversation]); the old team's are told.
func (s *Service) AssignTeam(ctx context.Context, a *switchboard.Actor, conversationID, teamID string) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "conversation.assign_team")
	if err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsAssign) {
		s.audit(ctx, a, "conversation.assign_team", "conversation", c.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if teamID != "" && !switchboard.ValidID(teamID) {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Unknown team.")
	}
	if teamID == c.TeamID {
		return c, nil
	}
	var also []string
	if c.TeamID != "" {
		if old, err := s.Store.Team(ctx, c.TeamID); err == nil {
			also = old.MemberIDs
		}
	}
	updated, err := s.Store.SetConversationTeam(ctx, c.ID, teamID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound && teamID != "" {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Unknown team.")
	} else if err != nil {
		return nil, err
	}
	s.audit(ctx, a, "conversation.assign_team", "conversation", c.ID, switchboard.OutcomeSuccess, map[string]string{"team_id": teamID})
	s.publish(ctx, switchboard.EventConversationUpdated, updated, updated, also...)
	return s.withUnread(ctx, updated, a)
}

// ChannelRouting returns a channel's automatic assignment; it needs
// channels.manage and the channel within the role's channels.
func (s *Service) ChannelRouting(ctx context.Context, a *switchboard.Actor, channelID string) (*switchboard.RoutingSettings, error) {
	if !switchboard.ValidID(channelID) || !a.Role.AllowsChannel(channelID) {
		return nil, switchboard.NotFound("Channel")
	}
	if !a.Can(switchboard.PermChannelsManage) {
		return nil, forbidden()
	}
	if _, err := s.Store.Channel(ctx, channelID); err != nil {
		return nil, err
	}
	return s.Store.RoutingSettings(ctx, channelID)
}

// SetChannelRouting changes a channel's automatic assignment; it needs
// channels.manage and is audited. The teams and roles must exist.
func (s *Service) SetChannelRouting(ctx context.Context, a *switchboard.Actor, r *switchboard.RoutingSettings) (*switchboard.RoutingSettings, error) {
	if !switchboard.ValidID(r.ChannelID) || !a.Role.AllowsChannel(r.ChannelID) {
		return nil, switchboard.NotFound("Channel")
	}
	if !a.Can(switchboard.PermChannelsManage) {
		s.audit(ctx, a, "channel.routing", "channel", r.ChannelID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if _, err := s.Store.Channel(ctx, r.ChannelID); err != nil {
		return nil, err
	}
	n := *r
	if err := n.Validate(); err != nil {
		return nil, err
	}
	teams, err := s.Store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range n.TeamIDs {
		if !slices.ContainsFunc(teams, func(t *switchboard.Team) bool { return t.ID == id }) {
			return nil, switchboard.Errorf(switchboard.EInvalid, "Unknown team.")
		}
	}
	roles, err := s.roleMap(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range n.RoleIDs {
		if roles[id] == nil {
			return nil, switchboard.ErrUnknownRole
		}
	}
	if err := s.Store.SetRoutingSettings(ctx, &n); err != nil {
		return nil, err
	}
	s.audit(ctx, a, "channel.routing", "channel", n.ChannelID, switchboard.OutcomeSuccess,
		map[string]string{"mode": string(n.Mode), "capacity": strconv.Itoa(n.Capacity)})
	return s.Store.RoutingSettings(ctx, n.ChannelID)
}

// candidates gathers what [switchboard.PickAssignee] needs about every
// active user.
func (s *Service) candidates(ctx context.Context) ([]*switchboard.Candidate, error) {
	roles, err := s.roleMap(ctx)
	if err != nil {
		return nil, err
	}
	av, err := s.Store.Availabilities(ctx)
	if err != nil {
		return nil, err
	}
	open, err := s.Store.OpenAssignedCounts(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.Store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	teamsOf := map[string][]string{}
	for _, t := range teams {
		for _, id := range t.MemberIDs {
			teamsOf[id] = append(teamsOf[id], t.ID)
		}
	}
	var out []*switchboard.Candidate
	active := true
	f := switchboard.UserFilter{Active: &active, Limit: 200}
	for {
		users, next, err := s.Store.Users(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			// Only who said they are online may be chosen: skip the rest
			// before anything else.
			if av[u.ID] != switchboard.AvailabilityOnline {
				continue
			}
			out = append(out, &switchboard.Candidate{User: u, Role: roles[u.RoleID], TeamIDs: teamsOf[u.ID], Availability: av[u.ID], Open: open[u.ID]})
		}
		if next == "" {
			return out, nil
		}
		f.Cursor = next
	}
}

// AutoAssign offers a conversation to its channel's automatic assignment:
// if it is on and the conversation is open, handled by people and
// unassigned, it is assigned to whom [switchboard.PickAssignee] chooses.
// It reports whether someone got it.
func (sys *System) AutoAssign(ctx context.Context, conversationID string) (bool, error) {
	s := sys.svc
	c, err := s.Store.Conversation(ctx, conversationID, "")
	if err != nil {
		return false, err
	}
	r, err := s.Store.RoutingSettings(ctx, c.ChannelID)
	if err != nil {
		return false, err
	}
	return s.autoAssign(ctx, c, r)
}

func (s *Service) autoAssign(ctx context.Context, c *switchboard.Conversation, r *switchboard.RoutingSettings) (bool, error) {
	if r.Mode == switchboard.AutoAssignOff || c.Status != switchboard.StatusOpen || !c.Unassigned() || c.Handler == switchboard.HandlerBot {
		return false, nil
	}
	cands, err := s.candidates(ctx)
	if err != nil {
		return false, err
	}
	pick := switchboard.PickAssignee(r, cands)
	if pick == nil {
		return false, nil
	}
	target := pick.User
	actx, done := s.auditing(ctx, nil, "conversation.assign", "conversation", c.ID, map[string]string{"user_id": target.ID, "reason": "automatic"})
	actx = s.stagingAbout(actx, c, target.ID, switchboard.EventConversationAssigned)
	c, changed, err := s.Store.AddAssignee(actx, c.ID, target.ID, s.now())
	if err != nil {
		return false, err
	}
	if err := s.Store.SetLastAssigned(ctx, c.ChannelID, target.ID); err != nil {
		s.Logger.Warn("record the round robin's position", "err", err)
	}
	if changed {
		done()
		s.publish(actx, switchboard.EventConversationAssigned, c, assignmentData(c, target))
		s.appendActivityBy(ctx, "", c, switchboard.Activity{Action: switchboard.ActivityAssigned, SubjectID: target.ID})
	}
	return changed, nil
}

// autoAssignNew offers the conversations a batch of messages opened to
// automatic assignment; errors are logged (the re-offer job tries again).
func (s *Service) autoAssignNew(ctx context.Context, c *switchboard.Conversation) {
	r, err := s.Store.RoutingSettings(ctx, c.ChannelID)
	if err != nil {
		s.Logger.Warn("read routing settings", "err", err)
		return
	}
	if r.Mode == switchboard.AutoAssignOff {
		return
	}
	if _, err := s.autoAssign(ctx, c, r); err != nil {
		s.Logger.Warn("assign a new conversation automatically", "err", err)
	}
}

// ReofferWaiting offers again, on every channel whose automatic assignment
// is on, the open unassigned conversations that have waited longer than
// the channel's re-offer time (at most 50 a channel a round). It returns
// how many were assigned; the worker's re-offer job calls it.
func (sys *System) ReofferWaiting(ctx context.Context) (int, error) {
	s := sys.svc
	channels, err := s.Store.Channels(ctx)
	if err != nil {
		return 0, err
	}
	assigned := 0
	for _, ch := range channels {
		r, err := s.Store.RoutingSettings(ctx, ch.ID)
		if err != nil {
			return assigned, err
		}
		if r.Mode == switchboard.AutoAssignOff {
			continue
		}
		ids, err := s.Store.WaitingUnassigned(ctx, ch.ID, s.now().Add(-r.ReofferAfter), 50)
		if err != nil {
			return assigned, err
		}
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return assigned, err
			}
			c, err := s.Store.Conversation(ctx, id, "")
			if err != nil {
				continue
			}
			ok, err := s.autoAssign(ctx, c, r)
			if err != nil {
				return assigned, err
			}
			if !ok {
				break // nobody fits now; the next round tries again
			}
			assigned++
			// The round robin moved on.
			if r, err = s.Store.RoutingSettings(ctx, ch.ID); err != nil {
				return assigned, err
			}
		}
	}
	return assigned, nil
}

// ReofferInterval is how often the worker's re-offer job runs.
const ReofferInterval = time.Minute

// mayReassignTo checks the user a deactivated user's conversations go to:
// another active user (who may reply on each conversation's channel is
// checked per conversation).
func (s *Service) mayReassignTo(ctx context.Context, to, from string) error {
	invalid := switchboard.Errorf(switchboard.EInvalid, "reassign_to must be another active user.")
	if !switchboard.ValidID(to) || to == from {
		return invalid
	}
	u, err := s.Store.User(ctx, to)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return invalid
	} else if err != nil {
		return err
	}
	if !u.Active {
		return invalid
	}
	return nil
}

// reassign gives c to userID if they may reply on its channel, as Assign
// does; otherwise c stays unassigned.
func (s *Service) reassign(ctx context.Context, a *switchboard.Actor, c *switchboard.Conversation, userID string) {
	target, err := s.assignable(ctx, userID, c.ChannelID)
	if err != nil {
		return
	}
	actx, done := s.auditing(ctx, a, "conversation.assign", "conversation", c.ID, map[string]string{"user_id": target.ID, "reason": "reassigned"})
	actx = s.stagingAbout(actx, c, target.ID, switchboard.EventConversationAssigned)
	c, changed, err := s.Store.AddAssignee(actx, c.ID, target.ID, s.now())
	if err != nil {
		s.Logger.Warn("reassign a deactivated user's conversation", "err", err)
		return
	}
	if changed {
		done()
		s.publish(actx, switchboard.EventConversationAssigned, c, assignmentData(c, target))
		s.appendActivity(ctx, a, c, switchboard.Activity{Action: switchboard.ActivityAssigned, SubjectID: target.ID})
	}
}
