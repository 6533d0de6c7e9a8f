package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token string            `json:"token"`
	User  *switchboard.User `json:"user"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	token, u, err := s.Service.Login(r.Context(), req.Login, req.Password, s.client(r))
	if secondFactorChallenge(w, err) {
		return nil
	} else if err != nil {
		return err
	}
	s.setSessionCookie(w, token, s.Service.SessionMax)
	writeJSON(w, http.StatusCreated, loginResponse{Token: token, User: u})
	return nil
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, maxAge time.Duration) {
	c := &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode,
		MaxAge: int(maxAge.Seconds()),
	}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.Logout(r.Context(), a); err != nil {
		return err
	}
	s.setSessionCookie(w, "", 0)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.LogoutEverywhere(r.Context(), a); err != nil {
		return err
	}
	s.setSessionCookie(w, "", 0)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setupStatus(w http.ResponseWriter, r *http.Request) error {
	needed, err := s.Service.SetupNeeded(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"needed": needed})
	return nil
}

type setupRequest struct {
	Token    string `json:"token"`
	Login    string `json:"login"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (s *Server) completeSetup(w http.ResponseWriter, r *http.Request) error {
	var req setupRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c := s.client(r)
	u, err := s.Service.CompleteSetup(r.Context(), req.Token, inbox.NewUser{Login: req.Login, Name: req.Name, Password: req.Password}, c)
	if err != nil {
		return err
	}
	token, _, err := s.Service.Login(r.Context(), req.Login, req.Password, c)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token, s.Service.SessionMax)
	writeJSON(w, http.StatusCreated, loginResponse{Token: token, User: u})
	return nil
}

type meResponse struct {
	User *switchboard.User `json:"user"`
	Role *switchboard.Role `json:"role"`
	// TwoFactorEnrolmentRequired: the session is limited to enrolling in
	// two-factor sign-in (the role requires it).
	TwoFactorEnrolmentRequired bool `json:"two_factor_enrolment_required"`
}

// sessionState answers whether the request is signed in, with 200 either
// way: the web app asks it on load, and a browser logs every 401 as a
// console error although "not signed in" is the expected answer there.
func (s *Server) sessionState(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if switchboard.ErrorCode(err) == switchboard.EUnauthorized {
		writeJSON(w, http.StatusOK, sessionStateResponse{SignedIn: false})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sessionStateResponse{SignedIn: true, User: a.User, Role: a.Role, TwoFactorEnrolmentRequired: a.EnrolmentOnly})
	return nil
}

type sessionStateResponse struct {
	SignedIn bool              `json:"signed_in"`
	User     *switchboard.User `json:"user,omitempty"`
	Role     *switchboard.Role `json:"role,omitempty"`
	// TwoFactorEnrolmentRequired: see meResponse.
	TwoFactorEnrolmentRequired bool `json:"two_factor_enrolment_required,omitempty"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	u := *a.User
	u.Availability = s.Service.MyAvailability(r.Context(), a)
	writeJSON(w, http.StatusOK, meResponse{User: &u, Role: a.Role, TwoFactorEnrolmentRequired: a.EnrolmentOnly})
	return nil
}

type passwordRequest struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req passwordRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.Service.ChangePassword(r.Context(), a, req.Current, req.New); err != nil {
		return err
	}
	s.setSessionCookie(w, "", 0)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type permissionInfo struct {
	Name switchboard.Permission `json:"name"`
}

func (s *Server) permissions(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	perms := switchboard.Permissions()
	out := make([]permissionInfo, len(perms))
	for i, p := range perms {
		out[i] = permissionInfo{Name: p}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// mediaLimitInfo is one kind of file the send endpoint takes.
type mediaLimitInfo struct {
	Kind      string   `json:"kind"`
	MIMETypes []string `json:"mime_types"`
	MaxBytes  int64    `json:"max_bytes"`
}

// mediaLimits serves the table uploads are checked against, so the web app
// refuses a file when it is picked rather than after Send.
func (s *Server) mediaLimits(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	limits := inbox.MediaLimits()
	out := make([]mediaLimitInfo, len(limits))
	for i, l := range limits {
		out[i] = mediaLimitInfo{Kind: l.Kind, MIMETypes: l.MIMETypes, MaxBytes: l.MaxBytes}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// sendErrors serves which failed messages may be sent again, so the web app
// offers "Send again" only where a retry can succeed.
func (s *Server) sendErrors(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	writeJSON(w, http.StatusOK, map[string]any{"retryable_codes": inbox.RetryableSendCodes()})
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	q := r.URL.Query()
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	f := switchboard.UserFilter{Query: q.Get("q"), RoleID: q.Get("role_id"), Cursor: q.Get("cursor"), Limit: limit}
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return switchboard.Errorf(switchboard.EInvalid, "active must be true or false.")
		}
		f.Active = &b
	}
	users, next, err := s.Service.Users(r.Context(), a, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(users, next))
	return nil
}

type createUserRequest struct {
	Login    string `json:"login"`
	Name     string `json:"name"`
	RoleID   string `json:"role_id"`
	Password string `json:"password"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req createUserRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := s.Service.CreateUser(r.Context(), a, inbox.NewUser{Login: req.Login, Name: req.Name, RoleID: req.RoleID, Password: req.Password})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	id := r.PathValue("id")
	if !switchboard.ValidID(id) {
		return switchboard.NotFound("User")
	}
	u, err := s.Service.User(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type updateUserRequest struct {
	Name     *string `json:"name"`
	RoleID   *string `json:"role_id"`
	Active   *bool   `json:"active"`
	Password *string `json:"password"`
	// UnassignAll, with active: false, takes the user off their conversations.
	UnassignAll bool `json:"unassign_all"`
	// ReassignTo, with unassign_all, gives those conversations to this user.
	ReassignTo string `json:"reassign_to"`
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	id := r.PathValue("id")
	if !switchboard.ValidID(id) {
		return switchboard.NotFound("User")
	}
	var req updateUserRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := s.Service.UpdateUser(r.Context(), a, id, inbox.UserPatch(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	roles, err := s.Service.Roles(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(roles, ""))
	return nil
}

type roleRequest struct {
	Name        *string                   `json:"name"`
	Description *string                   `json:"description"`
	Permissions *[]switchboard.Permission `json:"permissions"`
	AllChannels *bool                     `json:"all_channels"`
	ChannelIDs  *[]string                 `json:"channel_ids"`
}

func (s *Server) createRole(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req roleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	role, err := s.Service.CreateRole(r.Context(), a, inbox.RoleInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, role)
	return nil
}

func (s *Server) getRole(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	role, err := s.Service.Role(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, role)
	return nil
}

func (s *Server) updateRole(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	var req roleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	role, err := s.Service.UpdateRole(r.Context(), a, r.PathValue("id"), inbox.RoleInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, role)
	return nil
}

func (s *Server) deleteRole(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.DeleteRole(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// conversationPage is a page of conversations; the first page also
// carries the counts for the filter bar.
type conversationPage struct {
	page[*switchboard.Conversation]
	Counts *switchboard.ConversationCounts `json:"counts,omitempty"`
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	q := r.URL.Query()
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	f := switchboard.ConversationFilter{
		Assignment: q.Get("assignment"), Status: switchboard.ConversationStatus(q.Get("status")), Query: q.Get("q"),
		Cursor: q.Get("cursor"), Limit: limit, TeamID: q.Get("team"),
	}
	if err := listFilters(r, &f); err != nil {
		return err
	}
	items, next, err := s.Service.Conversations(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := conversationPage{page: newPage(items, next)}
	if f.Cursor == "" {
		if out.Counts, err = s.Service.ConversationCounts(r.Context(), a, f); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.Conversation(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type patchConversationRequest struct {
	// Status accepts the deprecated "closed" for resolved.
	Status       *switchboard.ConversationStatus `json:"status"`
	SnoozedUntil *time.Time                      `json:"snoozed_until"`
}

func (s *Server) patchConversation(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.UpdateConversation(r.Context(), a, r.PathValue("id"), func(p *inbox.ConversationPatch) error {
		var req patchConversationRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		p.Status, p.SnoozedUntil = req.Status, req.SnoozedUntil
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	msgs, entries, before, err := s.Service.Thread(r.Context(), a, r.PathValue("id"),
		switchboard.MessagePage{Before: r.URL.Query().Get("before"), Limit: limit})
	if err != nil {
		return err
	}
	if msgs == nil {
		msgs = []*switchboard.Message{}
	}
	// entries: the notes and activity lines within this page of messages.
	writeJSON(w, http.StatusOK, struct {
		Items      []*switchboard.Message     `json:"items"`
		Entries    []*switchboard.ThreadEntry `json:"entries"`
		NextCursor string                     `json:"next_cursor"`
	}{msgs, entries, before})
	return nil
}

type sendMessageRequest struct {
	Type     switchboard.MessageType   `json:"type"`
	Text     string                    `json:"text"`
	Caption  string                    `json:"caption"`
	ReplyTo  string                    `json:"reply_to"`
	MediaID  string                    `json:"media_id"`
	Template *switchboard.TemplateSend `json:"template"`
	// Interactive is the buttons, list or link, for type interactive.
	Interactive *switchboard.InteractiveSend `json:"interactive"`
}

// sendMessage queues a reply: JSON for text, templates and already
// uploaded media, or multipart/form-data with a file (fields type, caption,
// reply_to, then file). An Idempotency-Key header makes a retried request
// return the first result instead of sending twice.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	m, err := s.Service.SendRequest(r.Context(), a, r.PathValue("id"), func() (inbox.Outgoing, error) {
		var req sendMessageRequest
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			f, fields, err := s.receiveUpload(w, r, a)
			if err != nil {
				return inbox.Outgoing{}, err
			}
			req = sendMessageRequest{Type: switchboard.MessageType(fields["type"]), Caption: fields["caption"], ReplyTo: fields["reply_to"], MediaID: f.ID}
		} else if err := decode(w, r, &req); err != nil {
			return inbox.Outgoing{}, err
		}
		text := req.Text
		if req.Type != switchboard.TypeText {
			text = req.Caption
		}
		return inbox.Outgoing{
			Type: req.Type, Text: text, ReplyTo: req.ReplyTo, MediaID: req.MediaID, Template: req.Template,
			Interactive:    req.Interactive,
			IdempotencyKey: r.Header.Get("Idempotency-Key"),
		}, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, m)
	return nil
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.MarkConversationRead(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// typing tells the customer that the user is typing; the service sends
// WhatsApp's indicator at most every 25 s and only when it applies.
func (s *Server) typing(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	if err := s.Service.Typing(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// blockContact blocks the conversation's customer at WhatsApp
// (contacts.block).
func (s *Server) blockContact(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.BlockContact(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// unblockContact lifts the block.
func (s *Server) unblockContact(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.UnblockContact(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.Assign(r.Context(), a, r.PathValue("id"), r.PathValue("userId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listAssignable(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	limit, err := queryLimit(r, 20)
	if err != nil {
		return err
	}
	users, err := s.Service.Assignable(r.Context(), a, r.PathValue("id"), r.URL.Query().Get("q"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": users})
	return nil
}

func (s *Server) unassign(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	c, err := s.Service.Unassign(r.Context(), a, r.PathValue("id"), r.PathValue("userId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) auditActions(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	actions, types, err := s.Service.KnownAuditActions(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": actions, "object_types": types})
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	q := r.URL.Query()
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	f := switchboard.AuditFilter{
		ActorID: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"),
		ObjectID: q.Get("object"), Cursor: q.Get("cursor"), Limit: limit,
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return switchboard.Errorf(switchboard.EInvalid, "%s must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z.", name)
			}
			*dst = t.UTC()
		}
	}
	for _, v := range []string{f.ActorID, f.Action, f.ObjectType, f.ObjectID} {
		if len(v) > 100 {
			return switchboard.Errorf(switchboard.EInvalid, "Filter values must be at most 100 characters.")
		}
	}
	entries, next, err := s.Service.Audit(r.Context(), a, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(entries, next))
	return nil
}

type verifyResponse struct {
	OK       bool   `json:"ok"`
	Checked  int64  `json:"checked"`
	BrokenAt int64  `json:"broken_at,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	n, brk, err := s.Service.VerifyAudit(r.Context(), a)
	if err != nil {
		return err
	}
	resp := verifyResponse{OK: brk == nil, Checked: n}
	if brk != nil {
		resp.BrokenAt, resp.Reason = brk.Seq, brk.Reason
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) searchMessages(w http.ResponseWriter, r *http.Request, a *switchboard.Actor) error {
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > switchboard.MaxSearchLimit {
			return switchboard.Errorf(switchboard.EInvalid, "limit must be a number from 1 to %d.", switchboard.MaxSearchLimit)
		}
		limit = n
	}
	items, next, err := s.Service.SearchMessages(r.Context(), a, q.Get("q"), q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(items, next))
	return nil
}
