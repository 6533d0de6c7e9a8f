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
