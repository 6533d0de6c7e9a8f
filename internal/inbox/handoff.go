package inbox

import (
	"context"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// Bot agents and hand-off to people (docs/automation.md). The rules are
// switchboard.Handoff; this file applies them to the service's use cases
// and tells the users, the bot and outgoing webhooks.

// cachedChannel returns channelID from the channel cache, nil when it is
// unknown or cannot be read (logged).
func (s *Service) cachedChannel(ctx context.Context, channelID string) *switchboard.Channel {
	all, _, err := s.cachedChannels(ctx, false)
	if err != nil {
		s.Logger.Warn("look up channel", "err", err)
		return nil
	}
	for _, ch := range all {
		if ch.ID == channelID {
			return ch
		}
	}
	return nil
}

// botAgent returns the bot agent of channelID, "" when it has none.
func (s *Service) botAgent(ctx context.Context, channelID string) string {
	if ch := s.cachedChannel(ctx, channelID); ch != nil {
		return ch.BotAgentID
	}
	return ""
}

// channelHandoff returns what the hand-off rules need of channelID: its
// bot agent, hand-off rules and business hours (the zero value for a
// channel that cannot be read).
func (s *Service) channelHandoff(ctx context.Context, channelID string) switchboard.ChannelHandoff {
	ch := s.cachedChannel(ctx, channelID)
	if ch == nil {
		return switchboard.ChannelHandoff{}
	}
	set := switchboard.ChannelHandoff{BotAgentID: ch.BotAgentID, Rules: ch.HandoffRules}
	if ch.BusinessHours == nil || !ch.HandoffRules.BusinessHours {
		return set
	}
	if v, ok := s.channels.clocks.Load(channelID); ok && v.(hoursClock).hours == ch.BusinessHours {
		set.Hours = v.(hoursClock).clock
		return set
	}
	c, err := ch.BusinessHours.Clock()
	if err != nil { // stored hours were valid; a missing zone database is the likely cause
		s.Logger.Warn("read channel business hours", "channel_id", channelID, "err", err)
		return set
	}
	s.channels.clocks.Store(channelID, hoursClock{hours: ch.BusinessHours, clock: c})
	set.Hours = c
	return set
}

// fillHandoff gives b what the hand-off rules need of each channel of its
// messages, so that the store applies them in the batch's transaction.
func (s *Service) fillHandoff(ctx context.Context, b *switchboard.InboundBatch) {
	for _, in := range b.Messages {
		if _, ok := b.Handoff[in.ChannelID]; ok {
			continue
		}
		if b.Handoff == nil {
			b.Handoff = map[string]switchboard.ChannelHandoff{}
		}
		b.Handoff[in.ChannelID] = s.channelHandoff(ctx, in.ChannelID)
	}
}

// checkBotAgent accepts "" (no bot) or an active service account flagged
// bot whose role may reply on channelID.
func (s *Service) checkBotAgent(ctx context.Context, id, channelID string) error {
	if id == "" {
		return nil
	}
	invalid := switchboard.Errorf(switchboard.EInvalid, "bot_agent_id must name an active bot service account that may reply on this channel.")
	if !switchboard.ValidID(id) {
		return invalid
	}
	sa, err := s.Store.ServiceAccount(ctx, id)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return invalid
	} else if err != nil {
		return err
	}
	if !sa.Bot || !sa.User.Active {
		return invalid
	}
	r, err := s.Store.Role(ctx, sa.User.RoleID)
	if err != nil {
		return err
	}
	if !r.AllowsChannel(channelID) {
		return invalid
	}
	return nil
}

// isBotActor reports whether a is the bot agent of c's channel.
func (s *Service) isBotActor(ctx context.Context, a *switchboard.Actor, c *switchboard.Conversation) bool {
	bot := s.botAgent(ctx, c.ChannelID)
	return bot != "" && a != nil && a.User != nil && a.User.ID == bot
}

// maxHandoffAttempts bounds how often applyHandoff reads a conversation
// again after another change won the race to it.
const maxHandoffAttempts = 5

// applyHandoff runs the state machine on c for e and stores the result
// when the handler or the hand-off changed, publishing the hand-off. It
// returns the conversation as it is afterwards (c itself when nothing
// changed) and whether the handler changed.
func (s *Service) applyHandoff(ctx context.Context, c *switchboard.Conversation, e switchboard.HandoffEvent) (*switchboard.Conversation, bool, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	set := s.channelHandoff(ctx, c.ChannelID)
	if e.BotAgentID == "" {
		e.BotAgentID = set.BotAgentID
	}
	e.Rules, e.Hours = set.Rules, set.Hours
	var from, to switchboard.HandoffState
	var updated *switchboard.Conversation
	var hctx context.Context
	// The store writes only if nothing changed the handler or the failure
	// count since c was read; otherwise the machine runs again on what is
	// stored now, so that two events at the same moment (two failures, a
	// failure and a person's reply) both take effect, one after the other.
	for attempt := 0; ; attempt++ {
		from = c.HandoffState()
		var err error
		if to, err = switchboard.Handoff(from, e); err != nil {
			return c, false, err
		}
		if to == from {
			return c, false, nil
		}
		types := []string{switchboard.EventConversationUpdated}
		if from.Handler != to.Handler {
			types = append(types, handoffEventType(to.Handler))
		}
		hctx = s.staging(ctx, c, types...)
		updated, err = s.Store.SetHandoff(hctx, c.ID, &from, to)
		if err == nil {
			break
		}
		if switchboard.ErrorCode(err) != switchboard.EConflict || attempt == maxHandoffAttempts-1 {
			return c, false, err
		}
		if c, err = s.Store.Conversation(ctx, c.ID, ""); err != nil {
			return c, false, err
		}
	}
	changed := from.Handler != to.Handler
	if changed {
		s.publish(hctx, handoffEventType(to.Handler), updated, switchboard.HandoffChange{Conversation: updated, Handler: updated.Handler, Handoff: updated.Handoff})
		s.appendActivityBy(ctx, e.ActorID, updated, switchboard.Activity{Action: switchboard.ActivityHandoff,
			Value: string(to.Handler), Detail: to.Reason})
	}
	s.publish(hctx, switchboard.EventConversationUpdated, updated, updated)
	return updated, changed, nil
}

// handoffEventType is the event of a hand-off to h.
func handoffEventType(h switchboard.Handler) string {
	if h == switchboard.HandlerBot {
		return switchboard.EventHandoffToBot
	}
	return switchboard.EventHandoffToHuman
}

// botFailed counts a failure of the bot in c and hands c to people when
// the channel's rule says so. A failure to store it is logged: what
// failed has already happened.
func (s *Service) botFailed(ctx context.Context, c *switchboard.Conversation) {
	if _, _, err := s.applyHandoff(ctx, c, switchboard.HandoffEvent{Kind: switchboard.HandoffBotFailed}); err != nil {
		s.Logger.Warn("count a failure of the bot", "conversation_id", c.ID, "err", err)
	}
}

// ReportBotFailure counts a failure the channel's bot reports itself (its
// model failed, it could not answer) toward the channel's bot_failures
// rule, which hands the conversation to people at its limit. Only the
// channel's bot agent may report, and only while it handles the
// conversation (403 otherwise). It returns the conversation afterwards.
func (s *Service) ReportBotFailure(ctx context.Context, a *switchboard.Actor, conversationID string) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "conversation.bot_failure")
	if err != nil {
		return nil, err
	}
	if !s.isBotActor(ctx, a, c) {
		s.audit(ctx, a, "conversation.bot_failure", "conversation", c.ID, switchboard.OutcomeDenied, nil)
		return nil, switchboard.ErrNotBotAgent
	}
	if c.Handler != switchboard.HandlerBot {
		s.audit(ctx, a, "conversation.bot_failure", "conversation", c.ID, switchboard.OutcomeDenied, map[string]string{"handler": string(c.Handler)})
		return nil, switchboard.ErrBotNotHandler
	}
	updated, changed, err := s.applyHandoff(ctx, c, switchboard.HandoffEvent{Kind: switchboard.HandoffBotFailed})
	if err != nil {
		return nil, err
	}
	failures := updated.HandoffState().BotFailures
	if changed {
		failures = c.HandoffState().BotFailures + 1
	}
	s.audit(ctx, a, "conversation.bot_failure", "conversation", c.ID, switchboard.OutcomeSuccess,
		map[string]string{"failures": strconv.Itoa(failures), "handed_off": strconv.FormatBool(changed)})
	return s.withUnread(ctx, updated, a)
}

// HandOff moves a conversation to people ("human") or to the channel's
// bot ("bot"). The channel's bot agent hands off to people with a reason
// and a summary; a person with conversations.reply takes over; a person
// with conversations.assign hands back to the bot.
func (s *Service) HandOff(ctx context.Context, a *switchboard.Actor, conversationID string, to switchboard.Handler, reason, summary string) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "conversation.handoff")
	if err != nil {
		return nil, err
	}
	bot := s.botAgent(ctx, c.ChannelID)
	e := switchboard.HandoffEvent{BotAgentID: bot, ActorID: a.User.ID, Reason: reason, Summary: summary}
	switch {
	case to == switchboard.HandlerHuman && bot != "" && a.User.ID == bot:
		e.Kind = switchboard.HandoffBotHandsOff
	case to == switchboard.HandlerHuman:
		e.Kind = switchboard.HandoffTakeOver
		if !a.Can(switchboard.PermConversationsReply) {
			s.audit(ctx, a, "conversation.handoff", "conversation", c.ID, switchboard.OutcomeDenied, map[string]string{"to": string(to)})
			return nil, forbidden()
		}
	case to == switchboard.HandlerBot:
		e.Kind = switchboard.HandoffHandBack
		if !a.Can(switchboard.PermConversationsAssign) {
			s.audit(ctx, a, "conversation.handoff", "conversation", c.ID, switchboard.OutcomeDenied, map[string]string{"to": string(to)})
			return nil, forbidden()
		}
	default:
		return nil, switchboard.Errorf(switchboard.EInvalid, `to must be "human" or "bot".`)
	}
	updated, changed, err := s.applyHandoff(ctx, c, e)
	if err != nil {
		if switchboard.ErrorCode(err) == switchboard.EForbidden {
			s.audit(ctx, a, "conversation.handoff", "conversation", c.ID, switchboard.OutcomeDenied, map[string]string{"to": string(to)})
		}
		return nil, err
	}
	if changed {
		s.audit(ctx, a, "conversation.handoff", "conversation", c.ID, switchboard.OutcomeSuccess,
			map[string]string{"to": string(to), "kind": string(e.Kind)})
	}
	return s.withUnread(ctx, updated, a)
}

// personActed moves c to people after a person replied or was assigned;
// the bot's own actions and channels without a bot change nothing. A
// failure is logged: the reply or assignment has already happened.
func (s *Service) personActed(ctx context.Context, c *switchboard.Conversation, kind switchboard.HandoffEventKind, userID string) *switchboard.Conversation {
	if c.Handler != switchboard.HandlerBot {
		return c
	}
	updated, _, err := s.applyHandoff(ctx, c, switchboard.HandoffEvent{Kind: kind, ActorID: userID})
	if err != nil && switchboard.ErrorCode(err) != switchboard.EForbidden {
		s.Logger.Warn("hand conversation to people", "err", err)
	}
	return updated
}

// Suggest stores a draft reply by the channel's bot agent for a person to
// send, edit or discard. The bot may suggest whoever handles the
// conversation.
func (s *Service) Suggest(ctx context.Context, a *switchboard.Actor, conversationID, text, rationale string) (*switchboard.Suggestion, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	if !s.isBotActor(ctx, a, c) {
		return nil, switchboard.ErrNotBotAgent
	}
	sg := &switchboard.Suggestion{ID: switchboard.NewID(), ConversationID: c.ID, AuthorID: a.User.ID, Text: text, Rationale: rationale,
		State: switchboard.SuggestionPending, CreatedAt: s.now()}
	if err := sg.Validate(); err != nil {
		return nil, err
	}
	pending, err := s.Store.Suggestions(ctx, c.ID, true, switchboard.MaxPendingSuggestions)
	if err != nil {
		return nil, err
	}
	if len(pending) >= switchboard.MaxPendingSuggestions {
		return nil, switchboard.Errorf(switchboard.EConflict, "This conversation has %d pending suggestions; send or discard some first.", len(pending))
	}
	sctx := s.stagingAbout(ctx, c, sg.ID, switchboard.EventSuggestionCreate)
	if err := s.Store.CreateSuggestion(sctx, sg); err != nil {
		return nil, err
	}
	s.publish(sctx, switchboard.EventSuggestionCreate, c, sg)
	return sg, nil
}

// Suggestions lists a visible conversation's suggestions, newest first
// (pendingOnly: only those still waiting for a person).
func (s *Service) Suggestions(ctx context.Context, a *switchboard.Actor, conversationID string, pendingOnly bool) ([]*switchboard.Suggestion, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	return s.Store.Suggestions(ctx, c.ID, pendingOnly, 50)
}

// suggestionIn returns suggestion id of the visible conversation c, or
// ENotFound.
func (s *Service) suggestionIn(ctx context.Context, c *switchboard.Conversation, id string) (*switchboard.Suggestion, error) {
	if !switchboard.ValidID(id) {
		return nil, switchboard.NotFound("Suggestion")
	}
	sg, err := s.Store.Suggestion(ctx, id)
	if err != nil {
		return nil, err
	}
	if sg.ConversationID != c.ID {
		return nil, switchboard.NotFound("Suggestion")
	}
	return sg, nil
}

// SendSuggestion sends a pending suggestion as it is (text nil) or edited,
// through the normal send path (conversations.reply, the service window,
// a person's reply hands the conversation to people), and marks it sent.
func (s *Service) SendSuggestion(ctx context.Context, a *switchboard.Actor, conversationID, id string, text *string) (*switchboard.Message, *switchboard.Suggestion, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "suggestion.send")
	if err != nil {
		return nil, nil, err
	}
	sg, err := s.suggestionIn(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	if err := sg.Decide(switchboard.SuggestionSent); err != nil {
		return nil, nil, err
	}
	body := sg.Text
	if text != nil {
		body = *text
	}
	// The key makes a double click one message.
	m, err := s.Send(ctx, a, c.ID, Outgoing{Type: switchboard.TypeText, Text: body, IdempotencyKey: "suggestion:" + sg.ID})
	if err != nil {
		return nil, nil, err
	}
	dctx := s.stagingAbout(ctx, c, sg.ID, switchboard.EventSuggestionUpdate)
	done, err := s.Store.DecideSuggestion(dctx, sg.ID, switchboard.SuggestionDecision{
		State: switchboard.SuggestionSent, By: a.User.ID, MessageID: m.ID, At: s.now()})
	if err != nil {
		if switchboard.ErrorCode(err) != switchboard.EConflict {
			return nil, nil, err
		}
		// Sent by someone else meanwhile: the message went anyway.
		if done, err = s.Store.Suggestion(ctx, sg.ID); err != nil {
			return nil, nil, err
		}
		return m, done, nil
	}
	edited := "false"
	if text != nil && *text != sg.Text {
		edited = "true"
	}
	s.publish(dctx, switchboard.EventSuggestionUpdate, c, done)
	s.audit(ctx, a, "suggestion.send", "suggestion", sg.ID, switchboard.OutcomeSuccess,
		map[string]string{"conversation_id": c.ID, "message_id": m.ID, "edited": edited})
	return m, done, nil
}

// DiscardSuggestion discards a pending suggestion; it needs
// conversations.reply, or to be the suggestion's author.
func (s *Service) DiscardSuggestion(ctx context.Context, a *switchboard.Actor, conversationID, id string) (*switchboard.Suggestion, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "suggestion.discard")
	if err != nil {
		return nil, err
	}
	sg, err := s.suggestionIn(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsReply) && sg.AuthorID != a.User.ID {
		s.audit(ctx, a, "suggestion.discard", "suggestion", sg.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	dctx := s.stagingAbout(ctx, c, sg.ID, switchboard.EventSuggestionUpdate)
	done, err := s.Store.DecideSuggestion(dctx, sg.ID, switchboard.SuggestionDecision{
		State: switchboard.SuggestionDiscarded, By: a.User.ID, At: s.now()})
	if err != nil {
		return nil, err
	}
	s.publish(dctx, switchboard.EventSuggestionUpdate, c, done)
	s.audit(ctx, a, "suggestion.discard", "suggestion", sg.ID, switchboard.OutcomeSuccess, map[string]string{"conversation_id": c.ID})
	// A person who discards the bot's draft while the bot handles the
	// conversation says the bot failed: the failure rule counts it. The
	// bot withdrawing its own draft is no failure.
	if bot := s.botAgent(ctx, c.ChannelID); c.Handler == switchboard.HandlerBot && sg.AuthorID == bot && a.User.ID != bot {
		s.botFailed(ctx, c)
	}
	return done, nil
}
