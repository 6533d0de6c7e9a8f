package inbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
)

var digits = regexp.MustCompile(`^[0-9]{1,32}$`)

// ChannelInput creates or changes a channel. Secrets are write-only: they
// are never returned, and nil leaves them as they are.
type ChannelInput struct {
	Name               *string
	PhoneNumberID      *string
	WABAID             *string
	DisplayPhoneNumber *string
	GraphURL           *string
	AccessToken        *string
	AppSecret          *string
	VerifyToken        *string
	MarkRead           *bool
	// RetentionDays: 0 keeps messages for ever; otherwise messages and
	// media older than this many days are deleted (docs/gdpr.md).
	RetentionDays *int
	// BusinessHours, when set, replaces the channel's business hours
	// (nil hours remove them).
	BusinessHours switchboard.OptionalBusinessHours
	// BotAgentID names the bot service account that answers the channel's
	// new conversations first; "" removes it.
	BotAgentID *string
	// HandoffRules changes the channel's hand-off rules; the fields it
	// leaves nil stay.
	HandoffRules *HandoffRulesInput
	// Coexistence marks a number also in use with the WhatsApp Business
	// app (paced at switchboard.CoexistenceMPS).
	Coexistence *bool
	// WelcomeMessage is sent once to a customer who opens the chat for the
	// first time (request_welcome); "" turns it off.
	WelcomeMessage *string
	// AwayMessage is sent once per conversation to a customer who writes
	// outside the channel's business hours; "" turns it off.
	AwayMessage *string
}

// HandoffRulesInput is a partial change of a channel's
// [switchboard.HandoffRules]: nil fields stay.
type HandoffRulesInput struct {
	BusinessHours *bool `json:"business_hours"`
	BotFailures   *int  `json:"bot_failures"`
}

// apply returns r changed by in (r itself for nil).
func (in *HandoffRulesInput) apply(r switchboard.HandoffRules) switchboard.HandoffRules {
	if in == nil {
		return r
	}
	if in.BusinessHours != nil {
		r.BusinessHours = *in.BusinessHours
	}
	if in.BotFailures != nil {
		r.BotFailures = *in.BotFailures
	}
	return r
}

// ChannelView is a channel with its health, for administrators.
type ChannelView struct {
	*switchboard.Channel
	Health *switchboard.ChannelHealth `json:"health,omitempty"`
	// WebhookURL is where Meta must send this channel's webhooks.
	WebhookURL string `json:"webhook_url"`
	// Notices are the newest account alerts, account updates, capability
	// and number quality changes, newest first; only for channels.manage.
	Notices []*switchboard.ChannelNotice `json:"notices,omitempty"`
}

func secretOK(s *string, name string, min int) error {
	if s == nil {
		return nil
	}
	v := strings.TrimSpace(*s)
	if len(v) < min || len(v) > 1024 || strings.ContainsAny(v, " \t\r\n") {
		return switchboard.Errorf(switchboard.EInvalid, "%s must be %d to 1024 characters without spaces.", name, min)
	}
	*s = v
	return nil
}

func validateChannel(in *ChannelInput) error {
	if in.Name != nil {
		name, err := validName(*in.Name)
		if err != nil {
			return err
		}
		in.Name = &name
	}
	for _, f := range []struct {
		v    *string
		name string
	}{{in.PhoneNumberID, "phone_number_id"}, {in.WABAID, "waba_id"}} {
		if f.v != nil && !digits.MatchString(strings.TrimSpace(*f.v)) {
			return switchboard.Errorf(switchboard.EInvalid, "%s must be the numeric id Meta shows.", f.name)
		}
	}
	if d := in.RetentionDays; d != nil && *d != 0 && (*d < switchboard.MinRetentionDays || *d > switchboard.MaxRetentionDays) {
		return switchboard.Errorf(switchboard.EInvalid, "retention_days must be 0 (keep for ever) or between %d and %d.",
			switchboard.MinRetentionDays, switchboard.MaxRetentionDays)
	}
	if in.WelcomeMessage != nil {
		w := strings.TrimSpace(*in.WelcomeMessage)
		if !utf8.ValidString(w) || utf8.RuneCountInString(w) > MaxWelcomeMessage {
			return switchboard.Errorf(switchboard.EInvalid, "welcome_message must be valid text of at most %d characters.", MaxWelcomeMessage)
		}
		in.WelcomeMessage = &w
	}
	if in.AwayMessage != nil {
		w := strings.TrimSpace(*in.AwayMessage)
		if !utf8.ValidString(w) || utf8.RuneCountInString(w) > MaxAwayMessage {
			return switchboard.Errorf(switchboard.EInvalid, "away_message must be valid text of at most %d characters.", MaxAwayMessage)
		}
		in.AwayMessage = &w
	}
	if h := in.BusinessHours.Hours; in.BusinessHours.Set && h != nil {
		if err := h.Validate(); err != nil {
			return err
		}
		h.Normalize()
	}
	if in.DisplayPhoneNumber != nil && len(*in.DisplayPhoneNumber) > 32 {
		return switchboard.Errorf(switchboard.EInvalid, "display_phone_number is too long.")
	}
	if in.GraphURL != nil && *in.GraphURL != "" {
		u, err := url.Parse(*in.GraphURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return switchboard.Errorf(switchboard.EInvalid, "graph_url must be an http(s) URL such as https://graph.facebook.com.")
		}
	}
	if err := secretOK(in.AccessToken, "access_token", 8); err != nil {
		return err
	}
	if err := secretOK(in.AppSecret, "app_secret", 8); err != nil {
		return err
	}
	return secretOK(in.VerifyToken, "verify_token", 8)
}

// Channels lists the channels the actor's role allows. Everyone signed in
// may see channel names and numbers; only channels.manage sees health.
func (s *Service) Channels(ctx context.Context, a *switchboard.Actor) ([]*ChannelView, error) {
	all, err := s.Store.Channels(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*ChannelView, 0, len(all))
	for _, c := range all {
		if !a.Role.AllowsChannel(c.ID) {
			continue
		}
		v, err := s.channelView(ctx, a, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) channelView(ctx context.Context, a *switchboard.Actor, c *switchboard.Channel) (*ChannelView, error) {
	v := &ChannelView{Channel: c, WebhookURL: s.PublicURL + "/webhooks/whatsapp"}
	if a.Can(switchboard.PermChannelsManage) {
		h, err := s.Store.ChannelHealth(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		v.Health = h
		if v.Notices, err = s.Store.ChannelNotices(ctx, c.ID, channelNoticesShown); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Channel returns one channel the actor's role allows.
func (s *Service) Channel(ctx context.Context, a *switchboard.Actor, id string) (*ChannelView, error) {
	if !switchboard.ValidID(id) || !a.Role.AllowsChannel(id) {
		return nil, switchboard.NotFound("Channel")
	}
	c, err := s.Store.Channel(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.channelView(ctx, a, c)
}

// CreateChannel connects a WhatsApp number; it needs channels.manage on all
// channels, since a role limited to a list of channels would not cover the
// new one. A missing verify token is generated.
func (s *Service) CreateChannel(ctx context.Context, a *switchboard.Actor, in ChannelInput) (*ChannelView, error) {
	if a != nil && !a.Can(switchboard.PermChannelsManage) {
		s.audit(ctx, a, "channel.create", "channel", "", switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if a != nil && !a.Role.AllChannels {
		// A new channel would lie outside a channel-limited role, so its
		// creator would configure something they cannot see or manage.
		s.audit(ctx, a, "channel.create", "channel", "", switchboard.OutcomeDenied, map[string]string{"reason": "channel-limited role"})
		return nil, switchboard.Errorf(switchboard.EForbidden, "A role limited to some channels cannot add channels.")
	}
	if in.VerifyToken == nil || *in.VerifyToken == "" {
		t := randomToken()
		in.VerifyToken = &t
	}
	if err := validateChannel(&in); err != nil {
		return nil, err
	}
	for _, req := range []struct {
		v    *string
		name string
	}{{in.Name, "name"}, {in.PhoneNumberID, "phone_number_id"}, {in.AccessToken, "access_token"}, {in.AppSecret, "app_secret"}} {
		if req.v == nil || *req.v == "" {
			return nil, switchboard.Errorf(switchboard.EInvalid, "%s is required.", req.name)
		}
	}
	now := s.now()
	id := switchboard.NewID()
	if in.BotAgentID != nil {
		if err := s.checkBotAgent(ctx, *in.BotAgentID, id); err != nil {
			return nil, err
		}
	}
	c := &switchboard.Channel{
		ID: id, Name: *in.Name, PhoneNumberID: strings.TrimSpace(*in.PhoneNumberID),
		AccessToken: *in.AccessToken, AppSecret: *in.AppSecret, VerifyToken: *in.VerifyToken,
		CreatedAt: now, UpdatedAt: now,
	}
	if in.BotAgentID != nil {
		c.BotAgentID = *in.BotAgentID
	}
	c.HandoffRules = in.HandoffRules.apply(switchboard.DefaultHandoffRules)
	if err := c.HandoffRules.Validate(in.BusinessHours.Hours); err != nil {
		return nil, err
	}
	if in.WABAID != nil {
		c.WABAID = strings.TrimSpace(*in.WABAID)
	}
	if in.DisplayPhoneNumber != nil {
		c.DisplayPhoneNumber = strings.TrimSpace(*in.DisplayPhoneNumber)
	}
	if in.GraphURL != nil {
		c.GraphURL = strings.TrimRight(*in.GraphURL, "/")
	}
	if in.MarkRead != nil {
		c.MarkRead = *in.MarkRead
	}
	if in.RetentionDays != nil {
		c.RetentionDays = *in.RetentionDays
	}
	c.BusinessHours = in.BusinessHours.Hours
	if in.Coexistence != nil {
		c.Coexistence = *in.Coexistence
	}
	if in.WelcomeMessage != nil {
		c.WelcomeMessage = *in.WelcomeMessage
	}
	if in.AwayMessage != nil {
		c.AwayMessage = *in.AwayMessage
	}
	if c.ID == "" {
		c.ID = switchboard.NewID() // named in the audit entry written with it
	}
	actx, done := s.auditing(ctx, a, "channel.create", "channel", c.ID, map[string]string{"phone_number_id": c.PhoneNumberID})
	if err := s.Store.CreateChannel(actx, c); err != nil {
		return nil, err
	}
	done()
	s.InvalidateChannels()
	if s.Templates != nil {
		s.Templates.SyncSoon(c.ID)
	}
	if a == nil {
		return &ChannelView{Channel: c}, nil
	}
	return s.channelView(ctx, a, c)
}

// UpdateChannel changes a channel; it needs channels.manage.
func (s *Service) UpdateChannel(ctx context.Context, a *switchboard.Actor, id string, in ChannelInput) (*ChannelView, error) {
	if !a.Can(switchboard.PermChannelsManage) {
		s.audit(ctx, a, "channel.update", "channel", id, switchboard.OutcomeDenied, nil)
		if !switchboard.ValidID(id) || !a.Role.AllowsChannel(id) {
			return nil, switchboard.NotFound("Channel")
		}
		return nil, forbidden()
	}
	if in.PhoneNumberID != nil {
		return nil, switchboard.Errorf(switchboard.EInvalid, "phone_number_id cannot be changed; add a new channel instead.")
	}
	if err := validateChannel(&in); err != nil {
		return nil, err
	}
	cur, err := s.Channel(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if in.BotAgentID != nil {
		if err := s.checkBotAgent(ctx, *in.BotAgentID, id); err != nil {
			return nil, err
		}
	}
	// The rules are checked against the hours the channel will have, so
	// neither change can leave the business-hours rule without hours.
	var rules *switchboard.HandoffRules
	if in.HandoffRules != nil || in.BusinessHours.Set {
		hours := cur.BusinessHours
		if in.BusinessHours.Set {
			hours = in.BusinessHours.Hours
		}
		r := in.HandoffRules.apply(cur.HandoffRules)
		if err := r.Validate(hours); err != nil {
			return nil, err
		}
		rules = &r
	}
	detail := map[string]string{}
	if in.AccessToken != nil {
		detail["access_token"] = "changed"
	}
	if in.AppSecret != nil {
		detail["app_secret"] = "changed"
	}
	if in.RetentionDays != nil {
		detail["retention_days"] = strconv.Itoa(*in.RetentionDays)
	}
	if in.BusinessHours.Set {
		detail["business_hours"] = "changed"
		if in.BusinessHours.Hours == nil {
			detail["business_hours"] = "removed"
		}
	}
	if in.BotAgentID != nil {
		detail["bot_agent_id"] = *in.BotAgentID
	}
	if in.HandoffRules != nil {
		detail["handoff_business_hours"] = strconv.FormatBool(rules.BusinessHours)
		detail["handoff_bot_failures"] = strconv.Itoa(rules.BotFailures)
	}
	if in.Coexistence != nil {
		detail["coexistence"] = strconv.FormatBool(*in.Coexistence)
	}
	if in.WelcomeMessage != nil {
		detail["welcome_message"] = map[bool]string{true: "set", false: "cleared"}[*in.WelcomeMessage != ""]
	}
	if in.AwayMessage != nil {
		detail["away_message"] = map[bool]string{true: "set", false: "cleared"}[*in.AwayMessage != ""]
	}
	actx, done := s.auditing(ctx, a, "channel.update", "channel", id, detail)
	c, err := s.Store.UpdateChannel(actx, id, switchboard.ChannelUpdate{
		Name: in.Name, DisplayPhoneNumber: in.DisplayPhoneNumber, WABAID: in.WABAID, GraphURL: in.GraphURL,
		AccessToken: in.AccessToken, AppSecret: in.AppSecret, VerifyToken: in.VerifyToken, MarkRead: in.MarkRead,
		RetentionDays: in.RetentionDays, SetBusinessHours: in.BusinessHours.Set, BusinessHours: in.BusinessHours.Hours,
		BotAgentID: in.BotAgentID, HandoffRules: rules, Coexistence: in.Coexistence, WelcomeMessage: in.WelcomeMessage,
		AwayMessage: in.AwayMessage,
	})
	if err != nil {
		return nil, err
	}
	done()
	s.InvalidateChannels()
	if in.AccessToken != nil {
		// A new token deserves a fresh verdict from Meta.
		unknown := switchboard.TokenUnknown
		empty := ""
		_ = s.Store.UpdateChannelHealth(ctx, id, switchboard.HealthUpdate{TokenState: &unknown, TokenError: &empty})
	}
	return s.channelView(ctx, a, c)
}

// SyncTemplates asks the template worker to fetch a channel's templates now;
// it needs channels.manage.
func (s *Service) SyncTemplates(ctx context.Context, a *switchboard.Actor, id string) error {
	if _, err := s.Channel(ctx, a, id); err != nil {
		return err
	}
	if !a.Can(switchboard.PermChannelsManage) {
		return forbidden()
	}
	if s.Templates == nil {
		return switchboard.Errorf(switchboard.EUnavailable, "Template sync is not running.")
	}
	if err := s.Templates.SyncNow(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, a, "channel.templates_sync", "channel", id, switchboard.OutcomeSuccess, nil)
	return nil
}

// ListTemplates lists a channel's approved templates for anyone who may reply
// on that channel.
func (s *Service) ListTemplates(ctx context.Context, a *switchboard.Actor, channelID string) ([]*switchboard.Template, error) {
	if !switchboard.ValidID(channelID) || !a.Role.AllowsChannel(channelID) {
		return nil, switchboard.NotFound("Channel")
	}
	if !a.Can(switchboard.PermConversationsReply) && !a.Can(switchboard.PermChannelsManage) {
		return nil, forbidden()
	}
	all, err := s.Store.Templates(ctx, channelID)
	if err != nil {
		return nil, err
	}
	out := make([]*switchboard.Template, 0, len(all))
	for _, t := range all {
		if t.Status == "APPROVED" {
			out = append(out, t)
		}
	}
	return out, nil
}

// TemplateSyncer fetches templates from Meta; internal/worker implements it.
type TemplateSyncer interface {
	SyncNow(ctx context.Context, channelID string) error
	SyncSoon(channelID string)
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// EnsureChannel creates the channel configured from the environment (or the
// emulator's demo channel), or brings its settings up to date. It runs at
// start-up, without an actor.
func (sys *System) EnsureChannel(ctx context.Context, want *switchboard.Channel) (*switchboard.Channel, error) {
	s := sys.svc
	cur, err := s.Store.ChannelByPhoneNumberID(ctx, want.PhoneNumberID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		now := s.now()
		want.ID, want.CreatedAt, want.UpdatedAt = switchboard.NewID(), now, now
		if want.HandoffRules == (switchboard.HandoffRules{}) {
			want.HandoffRules = switchboard.DefaultHandoffRules
		}
		actx, done := s.auditing(ctx, nil, "channel.create", "channel", want.ID, map[string]string{"source": "configuration"})
		if err := s.Store.CreateChannel(actx, want); err != nil {
			return nil, err
		}
		done()
		s.InvalidateChannels()
		return want, nil
	} else if err != nil {
		return nil, err
	}
	if cur.AccessToken == want.AccessToken && cur.AppSecret == want.AppSecret && cur.VerifyToken == want.VerifyToken &&
		cur.GraphURL == want.GraphURL && cur.WABAID == want.WABAID {
		return cur, nil
	}
	c, err := s.Store.UpdateChannel(ctx, cur.ID, switchboard.ChannelUpdate{
		WABAID: &want.WABAID, GraphURL: &want.GraphURL, AccessToken: &want.AccessToken,
		AppSecret: &want.AppSecret, VerifyToken: &want.VerifyToken,
	})
	if err != nil {
		return nil, err
	}
	s.InvalidateChannels()
	return c, nil
}
