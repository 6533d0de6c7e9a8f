package inbox

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
)

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@+-]{1,63}$`)

// NewUser is the input for creating a user.
type NewUser struct {
	Login    string
	Name     string
	RoleID   string
	Password string
}

// UserPatch is a partial change of a user by an administrator.
type UserPatch struct {
	Name     *string
	RoleID   *string
	Active   *bool
	Password *string // a reset by an administrator
	// UnassignAll, with Active false, also takes the user off every
	// conversation assigned to them (it needs conversations.assign too).
	UnassignAll bool
	// ReassignTo, with UnassignAll, gives each of those conversations to
	// this user instead, where they may reply ([switchboard.Role.CanReplyOn]);
	// the others stay unassigned (and automatic assignment offers them
	// again).
	ReassignTo string
}

func forbidden() error {
	return switchboard.Errorf(switchboard.EForbidden, "You are not allowed to do this.")
}

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || strings.ContainsAny(name, "\x00\r\n") {
		return "", switchboard.Errorf(switchboard.EInvalid, "Name must be 1 to 100 characters on one line.")
	}
	return name, nil
}

// prepareUser validates input and hashes the password; it does not store.
func (s *Service) prepareUser(ctx context.Context, in NewUser) (*switchboard.User, error) {
	login := strings.ToLower(strings.TrimSpace(in.Login))
	if !loginPattern.MatchString(login) {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Login must be 2 to 64 characters: letters, digits and . _ @ + -")
	}
	name, err := validName(in.Name)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.Role(ctx, in.RoleID); err != nil {
		if switchboard.ErrorCode(err) == switchboard.ENotFound {
			return nil, switchboard.Errorf(switchboard.EInvalid, "Unknown role.")
		}
		return nil, err
	}
	if err := checkPassword(in.Password, login); err != nil {
		return nil, err
	}
	hash, err := s.Passwords.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &switchboard.User{
		ID: switchboard.NewID(), Login: login, Name: name, RoleID: in.RoleID, Active: true,
		PasswordHash: hash, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// CreateUser creates a user; it needs users.manage, and the actor's role
// must cover the new user's role ([switchboard.Role.Covers]): nobody hands
// out more permissions or channels than they hold. A nil actor is the
// command line (`switchboard user add`), which the operating system already
// authorised.
func (s *Service) CreateUser(ctx context.Context, a *switchboard.Actor, in NewUser) (*switchboard.User, error) {
	if a != nil && !a.Can(switchboard.PermUsersManage) {
		s.audit(ctx, a, "user.create", "user", "", switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if a != nil {
		if err := s.mayGrantRole(ctx, a, in.RoleID); err != nil {
			s.audit(ctx, a, "user.create", "user", "", switchboard.OutcomeDenied, map[string]string{"role": truncate(in.RoleID, 64)})
			return nil, err
		}
	}
	u, err := s.prepareUser(ctx, in)
	if err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, a, "user.create", "user", u.ID, map[string]string{"login": u.Login, "role": u.RoleID})
	if err := s.Store.CreateUser(actx, u); err != nil {
		return nil, err
	}
	done()
	return u, nil
}

// mayGrantRole checks that role id exists and that a's role covers it; an
// unknown role is invalid input, an uncovered one forbidden.
func (s *Service) mayGrantRole(ctx context.Context, a *switchboard.Actor, id string) error {
	r, err := s.Store.Role(ctx, id)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return switchboard.Errorf(switchboard.EInvalid, "Unknown role.")
	} else if err != nil {
		return err
	}
	if !a.Role.Covers(r) {
		return switchboard.Errorf(switchboard.EForbidden, "You cannot give a role with permissions or channels that your own role does not have.")
	}
	return nil
}

// lastActiveAdmin reports whether u is the only active administrator.
func (s *Service) lastActiveAdmin(ctx context.Context, u *switchboard.User) (bool, error) {
	if u.RoleID != switchboard.RoleAdmin || !u.Active {
		return false, nil
	}
	active := true
	admins, _, err := s.Store.Users(ctx, switchboard.UserFilter{RoleID: switchboard.RoleAdmin, Active: &active, Limit: 2})
	if err != nil {
		return false, err
	}
	return len(admins) < 2, nil
}

// Users lists users; it needs users.read or users.manage.
func (s *Service) Users(ctx context.Context, a *switchboard.Actor, f switchboard.UserFilter) ([]*switchboard.User, string, error) {
	if !a.Can(switchboard.PermUsersRead) && !a.Can(switchboard.PermUsersManage) {
		return nil, "", forbidden()
	}
	if len(f.Query) > 100 {
		return nil, "", switchboard.Errorf(switchboard.EInvalid, "Search text is too long.")
	}
	users, next, err := s.Store.Users(ctx, f)
	if err == nil {
		err = s.withAvailability(ctx, users)
	}
	if err != nil || !channelLimited(a) {
		return users, next, err
	}
	// A role limited to channels sees only users who work on at least one
	// of them (pages may come out shorter; the cursor still continues).
	roles, err := s.roleMap(ctx)
	if err != nil {
		return nil, "", err
	}
	visible := users[:0]
	for _, u := range users {
		if u.ID == a.User.ID || reachesChannelsOf(a, roles[u.RoleID]) {
			visible = append(visible, u)
		}
	}
	return visible, next, nil
}

// channelLimited reports whether the actor's role is limited to channels.
func channelLimited(a *switchboard.Actor) bool { return a.Role != nil && !a.Role.AllChannels }

// reachesChannelsOf reports whether role r may act on at least one of the
// actor's channels (a role for all channels reaches every channel): the
// rule for which users and roles a channel-limited actor may list.
func reachesChannelsOf(a *switchboard.Actor, r *switchboard.Role) bool {
	if !channelLimited(a) {
		return true
	}
	if r == nil {
		return false
	}
	if r.AllChannels {
		return true
	}
	return slices.ContainsFunc(r.ChannelIDs, a.Role.AllowsChannel)
}

// withinChannelsOf reports whether role r is limited to the actor's
// channels only: the rule for audit entries about users and roles.
func withinChannelsOf(a *switchboard.Actor, r *switchboard.Role) bool {
	if !channelLimited(a) {
		return true
	}
	return r != nil && !r.AllChannels && len(r.ChannelIDs) > 0 && !slices.ContainsFunc(r.ChannelIDs, func(id string) bool { return !a.Role.AllowsChannel(id) })
}

func (s *Service) roleMap(ctx context.Context) (map[string]*switchboard.Role, error) {
	roles, err := s.Store.Roles(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*switchboard.Role, len(roles))
	for _, r := range roles {
		m[r.ID] = r
	}
	return m, nil
}

// User returns one user: anyone may read themselves, others need users.read
// or users.manage. Users the actor may not list are not found.
func (s *Service) User(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.User, error) {
	if id != a.User.ID && !a.Can(switchboard.PermUsersRead) && !a.Can(switchboard.PermUsersManage) {
		return nil, switchboard.NotFound("User")
	}
	u, err := s.Store.User(ctx, id)
	if err != nil || id == a.User.ID || !channelLimited(a) {
		return u, err
	}
	r, err := s.Store.Role(ctx, u.RoleID)
	if err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
		return nil, err
	}
	if !reachesChannelsOf(a, r) {
		return nil, switchboard.NotFound("User")
	}
	return u, nil
}

// UpdateUser changes a user; it needs users.manage, and the actor must be
// able to create that user: their role must cover the user's current role
// and any new one, so nobody resets the password of, renames, deactivates
// or promotes someone more privileged than themselves. Administrators cannot
// deactivate themselves or change their own role, and the last active
// administrator can be neither demoted nor deactivated, so an installation
// cannot lose its last way in. Deactivation and password resets end the
// user's sessions and live connections.
func (s *Service) UpdateUser(ctx context.Context, a *switchboard.Actor, id string, p UserPatch) (*switchboard.User, error) {
	if !a.Can(switchboard.PermUsersManage) {
		s.audit(ctx, a, "user.update", "user", id, switchboard.OutcomeDenied, nil)
		if !a.Can(switchboard.PermUsersRead) && id != a.User.ID {
			return nil, switchboard.NotFound("User")
		}
		return nil, forbidden()
	}
	target, err := s.Store.User(ctx, id)
	if err != nil {
		return nil, err
	}
	if id != a.User.ID {
		if err := s.mayGrantRole(ctx, a, target.RoleID); err != nil {
			s.audit(ctx, a, "user.update", "user", id, switchboard.OutcomeDenied, nil)
			if switchboard.ErrorCode(err) == switchboard.EInvalid {
				return nil, forbidden()
			}
			return nil, err
		}
	}
	var upd switchboard.UserUpdate
	detail := map[string]string{}
	if p.Name != nil {
		name, err := validName(*p.Name)
		if err != nil {
			return nil, err
		}
		upd.Name = &name
		detail["name"] = "changed"
	}
	if p.RoleID != nil && *p.RoleID != target.RoleID {
		if id == a.User.ID {
			return nil, switchboard.Errorf(switchboard.EInvalid, "You cannot change your own role.")
		}
		if err := s.mayGrantRole(ctx, a, *p.RoleID); err != nil {
			if switchboard.ErrorCode(err) == switchboard.EForbidden {
				s.audit(ctx, a, "user.update", "user", id, switchboard.OutcomeDenied, map[string]string{"role": truncate(*p.RoleID, 64)})
			}
			return nil, err
		}
		upd.RoleID = p.RoleID
		detail["role"] = *p.RoleID
	}
	if p.Active != nil && *p.Active != target.Active {
		if id == a.User.ID && !*p.Active {
			return nil, switchboard.Errorf(switchboard.EInvalid, "You cannot deactivate yourself.")
		}
		upd.Active = p.Active
		if *p.Active {
			detail["active"] = "true"
		} else {
			detail["active"] = "false"
		}
	}
	if p.UnassignAll {
		if p.Active == nil || *p.Active {
			return nil, switchboard.Errorf(switchboard.EInvalid, "unassign_all goes with active: false.")
		}
		if !a.Can(switchboard.PermConversationsAssign) {
			s.audit(ctx, a, "user.update", "user", id, switchboard.OutcomeDenied, map[string]string{"unassign_all": "true"})
			return nil, forbidden()
		}
	}
	if p.ReassignTo != "" {
		if !p.UnassignAll {
			return nil, switchboard.Errorf(switchboard.EInvalid, "reassign_to goes with unassign_all: true.")
		}
		if err := s.mayReassignTo(ctx, p.ReassignTo, id); err != nil {
			return nil, err
		}
	}
	if (upd.RoleID != nil && *upd.RoleID != switchboard.RoleAdmin) || (upd.Active != nil && !*upd.Active) {
		// Held until the update is stored: two administrators demoting
		// each other at the same moment must not both pass the check.
		// (One process; instances sharing a PostgreSQL database would need
		// a database lock, see docs/security.md.)
		s.adminMu.Lock()
		defer s.adminMu.Unlock()
		last, err := s.lastActiveAdmin(ctx, target)
		if err != nil {
			return nil, err
		}
		if last {
			return nil, switchboard.Errorf(switchboard.EConflict, "This is the last active administrator; make another user administrator first.")
		}
	}
	if p.Password != nil {
		if isSA, err := s.IsServiceAccount(ctx, id); err != nil {
			return nil, err
		} else if isSA {
			return nil, switchboard.Errorf(switchboard.EInvalid, "A service account has no password; it acts through API tokens.")
		}
		if err := checkPassword(*p.Password, target.Login); err != nil {
			return nil, err
		}
		hash, err := s.Passwords.Hash(ctx, *p.Password)
		if err != nil {
			return nil, err
		}
		upd.PasswordHash = &hash
		detail["password"] = "reset"
	}
	actx, done := s.auditing(ctx, a, "user.update", "user", id, detail)
	if (upd.Active != nil || upd.Name != nil) && !p.UnassignAll {
		// Every conversation assigned to the user shows their name or
		// "deactivated" mark: its conversation.updated is recorded with
		// the update. (Unassigned at once instead, each records its own
		// conversation.unassigned.)
		rs, err := s.assignedUpdates(ctx, id)
		if err != nil {
			return nil, err
		}
		actx = switchboard.WithEvents(actx, rs...)
	}
	u, err := s.Store.UpdateUser(actx, id, upd)
	if err != nil {
		return nil, err
	}
	done()
	s.senders.forget(id)
	// A new role ends the user's sockets at once: they were opened under
	// the old role's visibility, and the web app reconnects under the new
	// one (its session stays).
	if upd.PasswordHash != nil || (upd.Active != nil && !*upd.Active) || upd.RoleID != nil {
		s.disconnect(id)
	}
	if p.UnassignAll {
		// Also when the user is inactive already: a deactivation that a
		// kill interrupted before its unassignments is finished by
		// asking again.
		s.unassignEverywhere(ctx, a, id, p.ReassignTo)
	}
	if upd.Active != nil || upd.Name != nil {
		s.republishAssigned(actx, id)
	}
	return u, nil
}

// unassignEverywhere takes a deactivated user off each conversation
// assigned to them, as Unassign does one by one: an event for each (the
// user told too) and an audit entry.
func (s *Service) unassignEverywhere(ctx context.Context, a *switchboard.Actor, userID, reassignTo string) {
	for {
		convs, _, err := s.Store.Conversations(ctx, switchboard.ConversationFilter{OnlyAssignedTo: userID, Limit: 200})
		if err != nil {
			s.Logger.Error("list a user's conversations to unassign", "err", err)
			return
		}
		removed := 0
		for _, c := range convs {
			actx, done := s.auditing(ctx, a, "conversation.unassign", "conversation", c.ID,
				map[string]string{"user_id": userID, "reason": "deactivated"})
			actx = s.stagingAbout(actx, c, userID, switchboard.EventConversationUnassigned)
			c, changed, err := s.Store.RemoveAssignee(actx, c.ID, userID, s.now())
			if err != nil {
				s.Logger.Error("unassign a deactivated user", "err", err)
				continue
			}
			if changed {
				removed++
				done()
				s.publish(actx, switchboard.EventConversationUnassigned, c, assignmentData(c, &switchboard.User{ID: userID}), userID)
				if reassignTo != "" {
					s.reassign(ctx, a, c, reassignTo)
				}
			}
		}
		if len(convs) == 0 || removed == 0 {
			return
		}
	}
}

// assignedUpdates are the conversation.updated records of every
// conversation assigned to userID, to stage on the write that changes
// the user.
func (s *Service) assignedUpdates(ctx context.Context, userID string) ([]*switchboard.EventRecord, error) {
	var rs []*switchboard.EventRecord
	f := switchboard.ConversationFilter{OnlyAssignedTo: userID, Limit: 200}
	for {
		convs, next, err := s.Store.Conversations(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range convs {
			rs = append(rs, switchboard.NewEventRecord(switchboard.EventConversationUpdated, s.now(), c.ID, c.ChannelID, ""))
		}
		if next == "" {
			return rs, nil
		}
		f.Cursor = next
	}
}

// republishAssigned publishes conversation.updated for every conversation
// assigned to userID, after their name or active state changed: open tabs
// then show the new name or the "deactivated" mark, and recount the
// unassigned filter, at once. Each event reaches only who may see its
// conversation (the hub's rule for every conversation event). ctx is the
// update's, which carries their records ([Service.assignedUpdates]).
func (s *Service) republishAssigned(ctx context.Context, userID string) {
	if s.Events == nil {
		return
	}
	f := switchboard.ConversationFilter{OnlyAssignedTo: userID, Limit: 200}
	for {
		convs, next, err := s.Store.Conversations(ctx, f)
		if err != nil {
			s.Logger.Error("list a user's conversations to republish", "err", err)
			return
		}
		for _, c := range convs {
			s.publish(ctx, switchboard.EventConversationUpdated, c, c)
		}
		if next == "" {
			return
		}
		f.Cursor = next
	}
}

// RoleInput is the input for creating or replacing a custom role.
type RoleInput struct {
	Name        *string
	Description *string
	Permissions *[]switchboard.Permission
	AllChannels *bool
	ChannelIDs  *[]string
}

func (s *Service) validateRole(ctx context.Context, in RoleInput) (switchboard.RoleUpdate, error) {
	var upd switchboard.RoleUpdate
	if in.Name != nil {
		name, err := validName(*in.Name)
		if err != nil {
			return upd, err
		}
		upd.Name = &name
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if utf8.RuneCountInString(d) > 500 {
			return upd, switchboard.Errorf(switchboard.EInvalid, "Description must be at most 500 characters.")
		}
		upd.Description = &d
	}
	if in.Permissions != nil {
		perms := slices.Clone(*in.Permissions)
		for _, p := range perms {
			if !switchboard.ValidPermission(p) {
				return upd, switchboard.Errorf(switchboard.EInvalid, "Unknown permission %q.", truncate(string(p), 64))
			}
		}
		slices.Sort(perms)
		perms = slices.Compact(perms)
		upd.Permissions = &perms
	}
	if in.ChannelIDs != nil {
		ids := slices.Clone(*in.ChannelIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > 1000 {
			return upd, switchboard.Errorf(switchboard.EInvalid, "Too many channels.")
		}
		for _, id := range ids {
			if _, err := s.Store.Channel(ctx, id); err != nil {
				if switchboard.ErrorCode(err) == switchboard.ENotFound {
					return upd, switchboard.Errorf(switchboard.EInvalid, "Unknown channel %q.", truncate(id, 64))
				}
				return upd, err
			}
		}
		upd.ChannelIDs = &ids
	}
	upd.AllChannels = in.AllChannels
	if upd.AllChannels != nil && *upd.AllChannels && upd.ChannelIDs != nil && len(*upd.ChannelIDs) > 0 {
		return upd, switchboard.Errorf(switchboard.EInvalid, "A role has either all channels or a list of channels, not both.")
	}
	return upd, nil
}

// applyRole returns r with upd applied, without storing it, so that the
// result can be checked before the store sees it.
func applyRole(r *switchboard.Role, upd switchboard.RoleUpdate) *switchboard.Role {
	c := *r
	if upd.Name != nil {
		c.Name = *upd.Name
	}
	if upd.Description != nil {
		c.Description = *upd.Description
	}
	if upd.Permissions != nil {
		c.Permissions = *upd.Permissions
	}
	if upd.AllChannels != nil {
		c.AllChannels = *upd.AllChannels
		if c.AllChannels {
			c.ChannelIDs = []string{}
		}
	}
	if upd.ChannelIDs != nil {
		c.ChannelIDs = *upd.ChannelIDs
	}
	return &c
}

func roleTooBroad() error {
	return switchboard.Errorf(switchboard.EForbidden, "You cannot manage a role with permissions or channels that your own role does not have.")
}

// Roles lists roles, for anyone who manages users or roles or picks
// assignees.
func (s *Service) Roles(ctx context.Context, a *switchboard.Actor) ([]*switchboard.Role, error) {
	if !a.Can(switchboard.PermRolesManage) && !a.Can(switchboard.PermUsersManage) && !a.Can(switchboard.PermUsersRead) {
		return nil, forbidden()
	}
	roles, err := s.Store.Roles(ctx)
	if err != nil || !channelLimited(a) {
		return roles, err
	}
	visible := roles[:0]
	for _, r := range roles {
		if r.ID == a.User.RoleID || reachesChannelsOf(a, r) {
			visible = append(visible, r)
		}
	}
	return visible, nil
}

// Role returns one role: the actor's own, or any for those who may list them.
func (s *Service) Role(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.Role, error) {
	if id != a.User.RoleID && !a.Can(switchboard.PermRolesManage) && !a.Can(switchboard.PermUsersManage) && !a.Can(switchboard.PermUsersRead) {
		return nil, switchboard.NotFound("Role")
	}
	r, err := s.Store.Role(ctx, id)
	if err == nil && id != a.User.RoleID && !reachesChannelsOf(a, r) {
		return nil, switchboard.NotFound("Role")
	}
	return r, err
}

// CreateRole creates a custom role; it needs roles.manage, and the new role
// must be covered by the actor's own ([switchboard.Role.Covers]). Without
// a channel choice the new role gets the actor's channels: all channels for
// an unrestricted actor, else the actor's list.
func (s *Service) CreateRole(ctx context.Context, a *switchboard.Actor, in RoleInput) (*switchboard.Role, error) {
	if !a.Can(switchboard.PermRolesManage) {
		s.audit(ctx, a, "role.create", "role", "", switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if in.Name == nil {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Name is required.")
	}
	upd, err := s.validateRole(ctx, in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	base := &switchboard.Role{ID: switchboard.NewID(), CreatedAt: now, UpdatedAt: now,
		Permissions: []switchboard.Permission{}, AllChannels: a.Role.AllChannels, ChannelIDs: slices.Clone(a.Role.ChannelIDs)}
	if base.ChannelIDs == nil {
		base.ChannelIDs = []string{}
	}
	if upd.ChannelIDs != nil && upd.AllChannels == nil {
		f := false
		upd.AllChannels = &f
	}
	r := applyRole(base, upd)
	if err := r.ValidateChannels(); err != nil {
		return nil, err
	}
	if !a.Role.Covers(r) {
		s.audit(ctx, a, "role.create", "role", "", switchboard.OutcomeDenied, map[string]string{"name": r.Name})
		return nil, roleTooBroad()
	}
	if r.ID == "" {
		r.ID = switchboard.NewID() // named in the audit entry written with it
	}
	actx, done := s.auditing(ctx, a, "role.create", "role", r.ID, map[string]string{"name": r.Name})
	if err := s.Store.CreateRole(actx, r); err != nil {
		return nil, err
	}
	done()
	return r, nil
}

// UpdateRole changes a custom role; it needs roles.manage. Nobody edits the
// role they hold themselves, and the actor's role must cover the role both
// before and after the change. A list of channels replaces "all channels";
// an empty list is refused unless all_channels is set, so removing the last
// channel never widens a role. Users with the role get the new permissions
// on their next request, and live connections within seconds.
func (s *Service) UpdateRole(ctx context.Context, a *switchboard.Actor, id string, in RoleInput) (*switchboard.Role, error) {
	if !a.Can(switchboard.PermRolesManage) {
		s.audit(ctx, a, "role.update", "role", id, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	cur, err := s.Store.Role(ctx, id)
	if err != nil {
		return nil, err
	}
	if cur.BuiltIn {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Built-in roles cannot be changed.")
	}
	if id == a.User.RoleID {
		s.audit(ctx, a, "role.update", "role", id, switchboard.OutcomeDenied, map[string]string{"reason": "own role"})
		return nil, switchboard.Errorf(switchboard.EForbidden, "You cannot change the role you hold yourself.")
	}
	if !a.Role.Covers(cur) {
		s.audit(ctx, a, "role.update", "role", id, switchboard.OutcomeDenied, nil)
		return nil, roleTooBroad()
	}
	upd, err := s.validateRole(ctx, in)
	if err != nil {
		return nil, err
	}
	if upd.ChannelIDs != nil && upd.AllChannels == nil && len(*upd.ChannelIDs) > 0 {
		f := false
		upd.AllChannels = &f
	}
	next := applyRole(cur, upd)
	if err := next.ValidateChannels(); err != nil {
		return nil, err
	}
	if !a.Role.Covers(next) {
		s.audit(ctx, a, "role.update", "role", id, switchboard.OutcomeDenied, nil)
		return nil, roleTooBroad()
	}
	actx, done := s.auditing(ctx, a, "role.update", "role", id, nil)
	r, err := s.Store.UpdateRole(actx, id, upd)
	if err != nil {
		return nil, err
	}
	done()
	// A narrowed role (a permission or channel taken away) ends the
	// sockets of everyone holding it at once, so none gets another event
	// the new role would not show.
	if !next.Covers(cur) {
		s.disconnectRole(ctx, id)
	}
	return r, nil
}

// disconnectRole ends the live connections of every user holding roleID.
func (s *Service) disconnectRole(ctx context.Context, roleID string) {
	if s.Live == nil {
		return
	}
	f := switchboard.UserFilter{RoleID: roleID, Limit: 200}
	for {
		users, next, err := s.Store.Users(ctx, f)
		if err != nil {
			s.Logger.Warn("end the sockets of a narrowed role's users", "role_id", roleID, "err", err)
			return
		}
		for _, u := range users {
			s.Live.DisconnectUser(u.ID)
		}
		if next == "" {
			return
		}
		f.Cursor = next
	}
}

// DeleteRole deletes an unused custom role; it needs roles.manage and a
// role that covers the one deleted.
func (s *Service) DeleteRole(ctx context.Context, a *switchboard.Actor, id string) error {
	if !a.Can(switchboard.PermRolesManage) {
		s.audit(ctx, a, "role.delete", "role", id, switchboard.OutcomeDenied, nil)
		return forbidden()
	}
	cur, err := s.Store.Role(ctx, id)
	if err != nil {
		return err
	}
	if !cur.BuiltIn && (id == a.User.RoleID || !a.Role.Covers(cur)) {
		s.audit(ctx, a, "role.delete", "role", id, switchboard.OutcomeDenied, nil)
		return roleTooBroad()
	}
	actx, done := s.auditing(ctx, a, "role.delete", "role", id, nil)
	if err := s.Store.DeleteRole(actx, id); err != nil {
		return err
	}
	done()
	return nil
}

// Audit lists audit entries; it needs audit.read.
func (s *Service) Audit(ctx context.Context, a *switchboard.Actor, f switchboard.AuditFilter) ([]*switchboard.AuditEntry, string, error) {
	if !a.Can(switchboard.PermAuditRead) {
		return nil, "", forbidden()
	}
	entries, next, err := s.Store.AuditEntries(ctx, f)
	if err != nil || !channelLimited(a) {
		return entries, next, err
	}
	// A channel-limited auditor sees their own actions and entries about
	// objects of their channels only (pages may come out shorter; the
	// cursor still continues).
	seen := map[string]bool{}
	visible := entries[:0]
	for _, e := range entries {
		if e.ActorID == a.User.ID {
			visible = append(visible, e)
			continue
		}
		key := e.ObjectType + "\x00" + e.ObjectID
		ok, done := seen[key]
		if !done {
			if ok, err = s.auditObjectOnChannels(ctx, a, e.ObjectType, e.ObjectID); err != nil {
				return nil, "", err
			}
			seen[key] = ok
		}
		if ok {
			visible = append(visible, e)
		}
	}
	return visible, next, nil
}

// auditObjectOnChannels reports whether an audit entry's object belongs to
// the actor's channels: a conversation, message or contact of one of them,
// one of the channels itself, or a user or role limited to them alone.
// Objects that no longer exist (an erased contact) and objects of no
// channel (sessions of all-channel users, reports, the audit log, the
// built-in roles) are for unrestricted auditors.
func (s *Service) auditObjectOnChannels(ctx context.Context, a *switchboard.Actor, typ, id string) (bool, error) {
	gone := func(err error) (bool, error) {
		if switchboard.ErrorCode(err) == switchboard.ENotFound {
			return false, nil
		}
		return false, err
	}
	if id == "" {
		return false, nil
	}
	switch typ {
	case "channel":
		return a.Role.AllowsChannel(id), nil
	case "conversation", "message":
		if typ == "message" {
			m, err := s.Store.Message(ctx, id)
			if err != nil {
				return gone(err)
			}
			id = m.ConversationID
		}
		c, err := s.Store.Conversation(ctx, id, "")
		if err != nil {
			return gone(err)
		}
		return a.Role.AllowsChannel(c.ChannelID), nil
	case "contact":
		c, _, err := s.Store.ContactConversations(ctx, id)
		if err != nil {
			return gone(err)
		}
		return a.Role.AllowsChannel(c.ChannelID), nil
	case "user":
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return gone(err)
		}
		r, err := s.Store.Role(ctx, u.RoleID)
		if err != nil {
			return gone(err)
		}
		return withinChannelsOf(a, r), nil
	case "role":
		r, err := s.Store.Role(ctx, id)
		if err != nil {
			return gone(err)
		}
		return withinChannelsOf(a, r), nil
	}
	return false, nil
}

// VerifyAudit checks the audit hash chain; it needs audit.read.
func (s *Service) VerifyAudit(ctx context.Context, a *switchboard.Actor) (int64, *switchboard.AuditBreak, error) {
	if !a.Can(switchboard.PermAuditRead) {
		return 0, nil, forbidden()
	}
	// The chain spans every channel: its length and where it breaks are
	// for unrestricted auditors.
	if channelLimited(a) {
		s.audit(ctx, a, "audit.verify", "audit", "", switchboard.OutcomeDenied, nil)
		return 0, nil, switchboard.Errorf(switchboard.EForbidden, "Verifying the audit log needs a role for all channels.")
	}
	verify := s.VerifyChain
	if verify == nil {
		verify = func(ctx context.Context) (switchboard.AuditVerification, error) {
			return switchboard.VerifyAuditChain(ctx, s.Store, nil)
		}
	}
	v, err := verify(ctx)
	n, brk := v.Checked, v.Break
	if err == nil {
		outcome := switchboard.OutcomeSuccess
		if brk != nil {
			outcome = switchboard.OutcomeFailure
		}
		s.audit(ctx, a, "audit.verify", "audit", "", outcome, nil)
	}
	return n, brk, err
}
