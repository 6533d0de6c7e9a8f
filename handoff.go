package switchboard

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bot agents and hand-off to people. A channel may name a service account
// flagged as a bot ([ServiceAccount.Bot]) as its bot agent
// ([Channel.BotAgentID]). Every conversation has a handler: the bot, which
// is expected to answer, or people. [Handoff] is the one state machine
// that moves a conversation between the two; the service applies it to
// every event that may move it and stores the result.

// Handler is who is expected to answer a conversation.
type Handler string

// The handlers.
const (
	HandlerBot   Handler = "bot"
	HandlerHuman Handler = "human"
)

// Limits on a hand-off.
const (
	MaxHandoffReason  = 200  // characters
	MaxHandoffSummary = 2000 // characters
)

// Reasons the service records for hand-offs it makes itself; a bot or an
// operator may give any other reason.
const (
	ReasonOpened        = "opened"         // a conversation opened on a bot channel
	ReasonCustomerAsked = "customer_asked" // the customer asked for a person
	ReasonTakenOver     = "taken_over"     // an operator took over
	ReasonAssigned      = "assigned"       // a person was assigned
	ReasonPersonReplied = "person_replied" // a person replied
	ReasonHandedBack    = "handed_back"    // an operator handed back to the bot
	ReasonBotFailed     = "bot_failed"     // the bot failed as often as the channel's rule allows
	ReasonBusinessHours = "business_hours" // the channel's rule: people answer during business hours
)

// HandoffState is a conversation's handler and its last hand-off: why,
// a summary for whoever takes over, when, and by whom (a user id; empty
// for a rule of the system).
type HandoffState struct {
	Handler Handler   `json:"-"`
	Reason  string    `json:"reason"`
	Summary string    `json:"summary"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	// BotFailures counts the bot's failures (see [HandoffBotFailed])
	// since the bot took the conversation; every change of handler
	// starts it again at 0.
	BotFailures int `json:"bot_failures"`
}

// HandoffEventKind names what happened to a conversation.
type HandoffEventKind string

// The hand-off events.
const (
	// HandoffOpened: the conversation was opened (or reopened) on its
	// channel. With a bot agent it goes to the bot, else to people.
	HandoffOpened HandoffEventKind = "opened"
	// HandoffBotHandsOff: the channel's bot hands the conversation to
	// people with a reason and a summary.
	HandoffBotHandsOff HandoffEventKind = "bot_hands_off"
	// HandoffTakeOver: an operator takes the conversation over.
	HandoffTakeOver HandoffEventKind = "take_over"
	// HandoffAssigned: a person was assigned to the conversation.
	HandoffAssigned HandoffEventKind = "assigned"
	// HandoffPersonReplied: a person sent a message in the conversation.
	HandoffPersonReplied HandoffEventKind = "person_replied"
	// HandoffHandBack: an operator hands the conversation back to the bot.
	HandoffHandBack HandoffEventKind = "hand_back"
	// HandoffCustomerWrote: a customer message arrived; the rule hands the
	// conversation to people when it asks for a person.
	HandoffCustomerWrote HandoffEventKind = "customer_wrote"
	// HandoffBotFailed: the bot failed the customer once: WhatsApp
	// refused a message it sent, or a person discarded its suggestion.
	// It counts the failure; at the channel's [HandoffRules.BotFailures]
	// the rule hands to people.
	HandoffBotFailed HandoffEventKind = "bot_failed"
	// HandoffBotSends: the bot wants to send a message. It changes
	// nothing; it is refused unless the bot handles the conversation.
	HandoffBotSends HandoffEventKind = "bot_sends"
)

// HandoffEvent is one event for [Handoff].
type HandoffEvent struct {
	Kind HandoffEventKind
	// BotAgentID is the channel's bot agent now; "" when it has none.
	BotAgentID string
	// ActorID is who caused the event: the bot, an operator, the person
	// assigned or replying; "" for the system.
	ActorID string
	// Reason and Summary explain a hand-off (optional for people).
	Reason, Summary string
	// Text is the customer's message, for HandoffCustomerWrote.
	Text string
	// Keywords are the phrases that ask for a person; nil means
	// [DefaultHandoffKeywords].
	Keywords []string
	// Rules are the channel's hand-off rules, Hours its business hours
	// (nil when it has none). The zero Rules turn both rules off.
	Rules HandoffRules
	Hours *BusinessClock
	At    time.Time
}

// Errors of the hand-off state machine.
var (
	// ErrBotNotHandler: the bot may not send (or hand off) a conversation
	// that people handle; it may still suggest replies.
	ErrBotNotHandler = &Error{Code: EForbidden, Message: "People handle this conversation now; the bot may only suggest replies until it is handed back."}
	// ErrNotBotAgent: the actor is not the bot agent of the conversation's
	// channel.
	ErrNotBotAgent = &Error{Code: EForbidden, Message: "Only the channel's bot agent may do this."}
	// ErrNoBotAgent: a conversation cannot go to a bot on a channel
	// without one.
	ErrNoBotAgent = &Error{Code: EUnprocessable, Message: "This channel has no bot agent."}
)

// DefaultHandoffKeywords are the phrases by which a customer asks for a
// person, in the app's four languages. A message matches when it
// contains one of them as whole words, case and accents aside.
var DefaultHandoffKeywords = []string{
	"human", "real person", "a person", "agent", "operator", "representative", "talk to someone",
	"mensch", "mitarbeiter", "echte person", "berater",
	"человек", "оператор", "живой", "менеджер",
	"людина", "оператора", "менеджера",
}

// Handoff applies e to a conversation in state s and returns the new
// state. It is pure: the caller stores the result (and publishes the
// hand-off when the handler changed). A refused event returns s unchanged
// with a domain error.
func Handoff(s HandoffState, e HandoffEvent) (HandoffState, error) {
	if s.Handler == "" {
		s.Handler = HandlerHuman
	}
	toHuman := func(reason, summary string) HandoffState {
		return HandoffState{Handler: HandlerHuman, Reason: reason, Summary: summary, At: e.At, By: e.ActorID}
	}
	switch e.Kind {
	case HandoffOpened:
		if e.BotAgentID == "" {
			if s.Handler == HandlerBot {
				return toHuman(ReasonOpened, ""), nil
			}
			return s, nil
		}
		if e.Rules.PeopleAt(e.Hours, e.At) {
			// During business hours people answer from the start: the
			// bot never gets the conversation.
			e.ActorID = ""
			return toHuman(ReasonBusinessHours, ""), nil
		}
		return HandoffState{Handler: HandlerBot, Reason: ReasonOpened, At: e.At, By: e.ActorID}, nil

	case HandoffBotHandsOff:
		if e.BotAgentID == "" || e.ActorID != e.BotAgentID {
			return s, ErrNotBotAgent
		}
		if s.Handler != HandlerBot {
			return s, ErrBotNotHandler
		}
		reason, summary, err := handoffNote(e.Reason, e.Summary, true)
		if err != nil {
			return s, err
		}
		return toHuman(reason, summary), nil

	case HandoffTakeOver, HandoffAssigned, HandoffPersonReplied:
		if e.BotAgentID != "" && e.ActorID == e.BotAgentID {
			// The bot is no person: its own messages and a hand-off to
			// itself never count as people taking over.
			if e.Kind == HandoffPersonReplied {
				return Handoff(s, HandoffEvent{Kind: HandoffBotSends, BotAgentID: e.BotAgentID, ActorID: e.ActorID})
			}
			return s, ErrNotBotAgent
		}
		if s.Handler == HandlerHuman {
			return s, nil
		}
		reason := map[HandoffEventKind]string{HandoffTakeOver: ReasonTakenOver,
			HandoffAssigned: ReasonAssigned, HandoffPersonReplied: ReasonPersonReplied}[e.Kind]
		summary := ""
		if e.Kind == HandoffTakeOver {
			r, sm, err := handoffNote(e.Reason, e.Summary, false)
			if err != nil {
				return s, err
			}
			if r != "" {
				reason = r
			}
			summary = sm
		}
		return toHuman(reason, summary), nil

	case HandoffHandBack:
		if e.BotAgentID == "" {
			return s, ErrNoBotAgent
		}
		if e.ActorID == e.BotAgentID {
			return s, ErrNotBotAgent // the bot cannot take a conversation back itself
		}
		if s.Handler == HandlerBot {
			return s, nil
		}
		reason, summary, err := handoffNote(e.Reason, e.Summary, false)
		if err != nil {
			return s, err
		}
		if reason == "" {
			reason = ReasonHandedBack
		}
		return HandoffState{Handler: HandlerBot, Reason: reason, Summary: summary, At: e.At, By: e.ActorID}, nil

	case HandoffCustomerWrote:
		if s.Handler != HandlerBot {
			return s, nil
		}
		e.ActorID = ""
		if AsksForPerson(e.Text, e.Keywords) {
			return toHuman(ReasonCustomerAsked, ""), nil
		}
		// The business-hours rule takes only what the bot holds by a
		// rule (By ""): a conversation an operator handed back on
		// purpose stays with the bot until it next opens.
		if s.By == "" && e.Rules.PeopleAt(e.Hours, e.At) {
			return toHuman(ReasonBusinessHours, ""), nil
		}
		return s, nil

	case HandoffBotFailed:
		if s.Handler != HandlerBot {
			return s, nil
		}
		s.BotFailures++
		if n := e.Rules.BotFailures; n > 0 && s.BotFailures >= n {
			e.ActorID = ""
			return toHuman(ReasonBotFailed, ""), nil
		}
		return s, nil

	case HandoffBotSends:
		if e.BotAgentID == "" || e.ActorID != e.BotAgentID {
			return s, ErrNotBotAgent
		}
		if s.Handler != HandlerBot {
			return s, ErrBotNotHandler
		}
		return s, nil
	}
	return s, Errorf(EInvalid, "Unknown hand-off event %q.", truncateRunes(string(e.Kind), 32))
}

// handoffNote trims and checks a hand-off's reason and summary; need
// requires a reason.
func handoffNote(reason, summary string, need bool) (string, string, error) {
	reason, summary = strings.TrimSpace(reason), strings.TrimSpace(summary)
	switch {
	case !utf8.ValidString(reason) || !utf8.ValidString(summary):
		return "", "", Errorf(EInvalid, "The reason and summary must be valid UTF-8.")
	case need && reason == "":
		return "", "", Errorf(EInvalid, "A hand-off needs a reason.")
	case utf8.RuneCountInString(reason) > MaxHandoffReason:
		return "", "", Errorf(EInvalid, "A hand-off reason has at most %d characters.", MaxHandoffReason)
	case utf8.RuneCountInString(summary) > MaxHandoffSummary:
		return "", "", Errorf(EInvalid, "A hand-off summary has at most %d characters.", MaxHandoffSummary)
	}
	return reason, summary, nil
}

// AsksForPerson reports whether a customer's text contains one of the
// keywords (nil: [DefaultHandoffKeywords]) as whole words, ignoring case.
func AsksForPerson(text string, keywords []string) bool {
	if keywords == nil {
		keywords = DefaultHandoffKeywords
	}
	words := handoffWords(text)
	if len(words) == 0 {
		return false
	}
	for _, k := range keywords {
		kw := handoffWords(k)
		if len(kw) == 0 || len(kw) > len(words) {
			continue
		}
	scan:
		for i := 0; i+len(kw) <= len(words); i++ {
			for j := range kw {
				if words[i+j] != kw[j] {
					continue scan
				}
			}
			return true
		}
	}
	return false
}

func handoffWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// HandoffChange is the data of the hand-off events: the conversation after
// the change and the hand-off itself.
type HandoffChange struct {
	Conversation *Conversation `json:"conversation"`
	Handler      Handler       `json:"handler"`
	Handoff      *HandoffState `json:"handoff"`
}

// BotTurn is the data of [EventBotTurn]: a customer message the bot is
// expected to answer.
type BotTurn struct {
	Conversation *Conversation `json:"conversation"`
	Message      *Message      `json:"message"`
}

// Hand-off and suggestion event types.
const (
	EventHandoffToHuman = "handoff.to_human"
	EventHandoffToBot   = "handoff.to_bot"
	// EventBotTurn: a customer wrote in a conversation the bot handles;
	// the bot's "your turn". Never sent once people handle it.
	EventBotTurn          = "handoff.bot_turn"
	EventSuggestionCreate = "suggestion.created"
	EventSuggestionUpdate = "suggestion.updated"
)

// DeriveAuthor returns who wrote m: the customer for inbound messages,
// the system for system messages and outbound ones without a sender, a
// bot when the sender is a bot service account, else a user. An author
// stored as something other than a user (business_app for an echo) stays;
// a stored "user" becomes "bot" when the sender is a bot.
func (m *Message) DeriveAuthor(senderIsBot bool) MessageAuthor {
	switch {
	case m.Author != "" && m.Author != AuthorUser:
		return m.Author
	case m.Type == TypeSystem:
		return AuthorSystem
	case m.Direction == DirectionIn:
		return AuthorCustomer
	case m.SenderID == "":
		return AuthorSystem
	case senderIsBot:
		return AuthorBot
	}
	return AuthorUser
}

// SuggestionState is where a suggested reply stands.
type SuggestionState string

// The suggestion states: pending until a person sends or discards it.
const (
	SuggestionPending   SuggestionState = "pending"
	SuggestionSent      SuggestionState = "sent"
	SuggestionDiscarded SuggestionState = "discarded"
)

// Limits on suggestions.
const (
	MaxSuggestionText      = 4096 // WhatsApp's text limit
	MaxSuggestionRationale = 2000
	// MaxPendingSuggestions bounds the pending suggestions of one
	// conversation; a bot that makes more gets EConflict.
	MaxPendingSuggestions = 20
)

// Suggestion is a draft reply a bot offers for a person to send as it is,
// edit or discard. Text and Rationale are customer data: sealed at rest
// under the conversation's contact key.
type Suggestion struct {
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	AuthorID       string          `json:"author_id"`
	Text           string          `json:"text"`
	Rationale      string          `json:"rationale"`
	State          SuggestionState `json:"state"`
	// DecidedBy is the person who sent or discarded it; MessageID the
	// message it became.
	DecidedBy string    `json:"decided_by,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate trims and checks a new suggestion's text and rationale.
func (sg *Suggestion) Validate() error {
	sg.Text, sg.Rationale = strings.TrimSpace(sg.Text), strings.TrimSpace(sg.Rationale)
	switch {
	case !utf8.ValidString(sg.Text) || !utf8.ValidString(sg.Rationale):
		return Errorf(EInvalid, "The text and rationale must be valid UTF-8.")
	case sg.Text == "":
		return Errorf(EInvalid, "A suggestion needs a text.")
	case utf8.RuneCountInString(sg.Text) > MaxSuggestionText:
		return Errorf(EInvalid, "A suggestion has at most %d characters.", MaxSuggestionText)
	case utf8.RuneCountInString(sg.Rationale) > MaxSuggestionRationale:
		return Errorf(EInvalid, "A rationale has at most %d characters.", MaxSuggestionRationale)
	}
	return nil
}

// Decide moves a pending suggestion to sent or discarded; any other move
// is EConflict.
func (sg *Suggestion) Decide(to SuggestionState) error {
	if to != SuggestionSent && to != SuggestionDiscarded {
		return Errorf(EInvalid, "A suggestion can only be sent or discarded.")
	}
	if sg.State != SuggestionPending {
		return Errorf(EConflict, "This suggestion was already %s.", sg.State)
	}
	return nil
}

// SuggestionDecision is a store's change of a pending suggestion.
type SuggestionDecision struct {
	State     SuggestionState
	By        string
	MessageID string
	At        time.Time
}

// HandoffStore persists conversations' handlers and suggestions.
type HandoffStore interface {
	// SetHandoff sets the conversation's handler, last hand-off and bot
	// failure count (st.BotFailures) when its handler and failure count
	// are still expect's (nil for any), else EConflict: two failures
	// counted at the same moment are both counted, one after the other.
	// ENotFound for an unknown conversation. It returns the conversation
	// after the change (no viewer).
	SetHandoff(ctx context.Context, conversationID string, expect *HandoffState, st HandoffState) (*Conversation, error)
	// CreateSuggestion stores a new pending suggestion (ID and CreatedAt
	// set by the caller); ENotFound for an unknown conversation.
	CreateSuggestion(ctx context.Context, sg *Suggestion) error
	// Suggestion returns one suggestion.
	Suggestion(ctx context.Context, id string) (*Suggestion, error)
	// Suggestions lists a conversation's suggestions, newest first, at
	// most limit; pendingOnly keeps the pending ones.
	Suggestions(ctx context.Context, conversationID string, pendingOnly bool, limit int) ([]*Suggestion, error)
	// DecideSuggestion moves a pending suggestion to d.State; EConflict
	// when it is no longer pending.
	DecideSuggestion(ctx context.Context, id string, d SuggestionDecision) (*Suggestion, error)
}
