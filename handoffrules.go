package switchboard

import "time"

// HandoffRules are a channel's rules that hand conversations from its bot
// agent to people on their own (docs/automation.md, "Hand-off rules"),
// beside the customer asking for a person, which is always on. They are
// applied by [Handoff].
type HandoffRules struct {
	// BusinessHours hands conversations to people during the channel's
	// business hours: one that opens then goes to people at once, and a
	// customer message then takes one the bot holds by a rule. Outside
	// the hours the bot answers. It needs the channel's business hours.
	BusinessHours bool `json:"business_hours"`
	// BotFailures hands a conversation to people once the bot failed it
	// this many times since it took it ([HandoffState.BotFailures]);
	// 0 turns the rule off.
	BotFailures int `json:"bot_failures"`
}

// ChannelHandoff is what the hand-off rules need to know of a channel to
// apply them to its conversations' new messages ([InboundBatch.Handoff]).
type ChannelHandoff struct {
	// BotAgentID is the channel's bot agent; "" when it has none.
	BotAgentID string
	Rules      HandoffRules
	// Hours is the channel's business hours clock (nil: none).
	Hours *BusinessClock
	// Keywords are the phrases that ask for a person; nil means
	// [DefaultHandoffKeywords].
	Keywords []string
}

// BatchHandoff is what the hand-off rules did to one conversation of an
// ingest batch, in the batch's transaction.
type BatchHandoff struct {
	ConversationID string
	// Changes are the conversation's changes of handler, in order (a
	// conversation that opens on the bot and whose customer asks for a
	// person goes to the bot, then to people): each is a hand-off fact,
	// a handoff.to_* event record and an activity line (Entry).
	Changes []HandoffChangeStep
	// Turns are the customer messages the bot is expected to answer: the
	// ones after which the bot still handled the conversation, each
	// with its handoff.bot_turn event record.
	Turns []*Message
}

// HandoffChangeStep is one change of handler in an ingest batch: the
// state it left the conversation in and its activity line.
type HandoffChangeStep struct {
	State HandoffState
	Entry *ThreadEntry
}

// MaxHandoffBotFailures bounds [HandoffRules.BotFailures].
const MaxHandoffBotFailures = 10

// DefaultHandoffRules are the rules of a new channel: the bot's first
// failure hands to people, as before the rules could be set.
var DefaultHandoffRules = HandoffRules{BotFailures: 1}

// Validate checks r for a channel with business hours hours (nil: none)
// and returns a clear EInvalid error for the first problem.
func (r HandoffRules) Validate(hours *BusinessHours) error {
	if r.BotFailures < 0 || r.BotFailures > MaxHandoffBotFailures {
		return Errorf(EInvalid, "handoff_rules.bot_failures must be 0 (off) or 1 to %d.", MaxHandoffBotFailures)
	}
	if r.BusinessHours && hours == nil {
		return Errorf(EInvalid, "handoff_rules.business_hours needs the channel's business hours; set business_hours first (or turn the rule off before removing them).")
	}
	return nil
}

// PeopleAt reports whether the business-hours rule wants people to answer
// at t: it is on and t falls into the business hours c (nil: none, so
// never).
func (r HandoffRules) PeopleAt(c *BusinessClock, t time.Time) bool {
	return r.BusinessHours && c != nil && c.Open(t)
}

// Open reports whether t falls into an opening interval of a day that is
// not a holiday.
func (c *BusinessClock) Open(t time.Time) bool {
	lt := t.In(c.loc)
	if c.holidays[lt.Format("2006-01-02")] {
		return false
	}
	m := lt.Hour()*60 + lt.Minute()
	for _, iv := range c.week[(int(lt.Weekday())+6)%7] {
		if m >= iv[0] && m < iv[1] {
			return true
		}
	}
	return false
}
