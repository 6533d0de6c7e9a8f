package ingest

import (
	"time"

	"github.com/switchboardhq/switchboard"
)

// Handoff is what the hand-off rules decided for one conversation of the
// batch: the store writes it in the batch's transaction, so that a kill
// after the commit cannot keep the messages and lose the hand-off they
// caused.
type Handoff struct {
	Conversation *Conversation
	// To is the conversation's hand-off state after the batch; Set is
	// true when it differs from the stored one (Conversation.Handoff) and
	// the store writes it.
	To  switchboard.HandoffState
	Set bool
	// Changes are the changes of handler, in order; the store records a
	// hand-off fact and writes the activity line (Entry) of each.
	Changes []switchboard.HandoffChangeStep
	// Turns are the customer messages that are the bot's turn.
	Turns []*switchboard.Message
}

// planHandoffs applies the hand-off rules to the conversations of the
// batch whose channel is in in.Handoff, each once over its new messages
// in batch order: a conversation the batch started or reopened is opened
// (to the bot, or to people during business hours), then each customer
// message may hand it to people (asking for a person, business hours);
// a customer message after which the bot still handles it is the bot's
// turn. The rules are [switchboard.Handoff]'s; this only feeds it the
// batch's events.
func planHandoffs(p *Plan, in Input) {
	if len(in.Handoff) == 0 {
		return
	}
	msgs := map[*Conversation][]*switchboard.Message{}
	opened := map[*Conversation]bool{}
	byID := map[string]*Conversation{}
	for _, cv := range p.Conversations {
		byID[cv.ID] = cv
	}
	for _, r := range p.Received {
		if r == nil || r.Duplicate {
			continue
		}
		cv := byID[r.Message.ConversationID]
		msgs[cv] = append(msgs[cv], r.Message)
		if r.NewConversation {
			opened[cv] = true
		}
	}
	for _, cv := range p.Conversations {
		set, ok := in.Handoff[cv.Contact.ChannelID]
		if !ok {
			continue
		}
		from := cv.Handoff
		if from.Handler == "" {
			from.Handler = switchboard.HandlerHuman
		}
		h := &Handoff{Conversation: cv, To: from}
		apply := func(e switchboard.HandoffEvent) {
			e.BotAgentID, e.Rules, e.Hours, e.Keywords, e.At = set.BotAgentID, set.Rules, set.Hours, set.Keywords, in.Now
			next, err := switchboard.Handoff(h.To, e)
			if err != nil || next == h.To {
				return
			}
			if next.Handler != h.To.Handler {
				// A microsecond apart, so that the thread shows the
				// lines of one batch in their order.
				entry := &switchboard.ThreadEntry{ConversationID: cv.ID, Kind: switchboard.ActivityEntry,
					Activity:  &switchboard.Activity{Action: switchboard.ActivityHandoff, Value: string(next.Handler), Detail: next.Reason},
					CreatedAt: in.Now.Add(time.Duration(len(h.Changes)) * time.Microsecond)}
				if entry.Prepare(in.Now) == nil {
					h.Changes = append(h.Changes, switchboard.HandoffChangeStep{State: next, Entry: entry})
				}
			}
			h.To = next
		}
		if opened[cv] {
			apply(switchboard.HandoffEvent{Kind: switchboard.HandoffOpened})
		}
		// Without a bot agent only the opening matters: it takes a
		// conversation the bot had back to people.
		if set.BotAgentID != "" {
			for _, m := range msgs[cv] {
				if m.Direction != switchboard.DirectionIn {
					continue
				}
				if h.To.Handler == switchboard.HandlerBot {
					apply(switchboard.HandoffEvent{Kind: switchboard.HandoffCustomerWrote, Text: m.Content.Text})
				}
				if h.To.Handler == switchboard.HandlerBot {
					h.Turns = append(h.Turns, m)
				}
			}
		}
		h.Set = h.To != from
		if h.Set || len(h.Turns) > 0 {
			p.Handoffs = append(p.Handoffs, h)
		}
	}
}

// Result returns the batch's outcome of h.
func (h *Handoff) Result() *switchboard.BatchHandoff {
	return &switchboard.BatchHandoff{ConversationID: h.Conversation.ID, Changes: h.Changes, Turns: h.Turns}
}
