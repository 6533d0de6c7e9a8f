package storekit

import (
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/ingest"
)

// BatchEvents are the event records of an ingest batch, in the order the
// service announces them: per conversation the batch adds messages to,
// conversation.created (a new one) or conversation.updated, then
// message.created for each new message; for each conversation the
// hand-off rules changed, handoff.to_human or handoff.to_bot per change of
// handler and handoff.bot_turn per turn of the bot; message.updated for every message
// a status changed; for every edit that changed a message, message.updated
// and conversation.updated. The stores write them in the batch's
// transaction (see [switchboard.EventLogStore]).
func BatchEvents(plan *ingest.Plan, outcomes []ingest.StatusOutcome, edits []PreparedEdit, now time.Time) []*switchboard.EventRecord {
	var out []*switchboard.EventRecord
	channel := map[string]string{}
	for _, in := range plan.Inserts {
		channel[in.Conversation.ID] = in.ChannelID
	}
	announced := map[string]bool{}
	for _, cv := range plan.Conversations {
		typ := switchboard.EventConversationUpdated
		if cv.New {
			typ = switchboard.EventConversationCreated
		}
		announced[cv.ID] = true
		out = append(out, switchboard.NewEventRecord(typ, now, cv.ID, channel[cv.ID], ""))
		for _, in := range plan.Inserts {
			if in.Conversation.ID == cv.ID {
				out = append(out, switchboard.NewEventRecord(switchboard.EventMessageCreated, now, cv.ID, in.ChannelID, in.Message.ID))
			}
		}
	}
	// What the hand-off rules decided: each change of handler, then the
	// bot's turns (written with the hand-off that left the bot in charge,
	// so a turn is recorded only while the bot handles the conversation).
	for _, h := range plan.Handoffs {
		cv := h.Conversation
		for _, c := range h.Changes {
			typ := switchboard.EventHandoffToHuman
			if c.State.Handler == switchboard.HandlerBot {
				typ = switchboard.EventHandoffToBot
			}
			out = append(out, switchboard.NewEventRecord(typ, now, cv.ID, cv.Contact.ChannelID, ""))
		}
		for _, m := range h.Turns {
			out = append(out, switchboard.NewEventRecord(switchboard.EventBotTurn, now, cv.ID, cv.Contact.ChannelID, m.ID))
		}
	}
	updated := map[string]bool{}
	for _, o := range outcomes {
		if o.Changed && o.MessageID != "" && !updated[o.MessageID] {
			updated[o.MessageID] = true
			// The conversation and channel are read when it is fanned out.
			out = append(out, switchboard.NewEventRecord(switchboard.EventMessageUpdated, now, "", "", o.MessageID))
		}
	}
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		if !e.Changed || e.Msg == nil || updated[e.Msg.ID] {
			continue
		}
		updated[e.Msg.ID] = true
		out = append(out, switchboard.NewEventRecord(switchboard.EventMessageUpdated, now, e.Msg.ConversationID, e.Edit.ChannelID, e.Msg.ID))
		if !announced[e.Msg.ConversationID] {
			announced[e.Msg.ConversationID] = true
			out = append(out, switchboard.NewEventRecord(switchboard.EventConversationUpdated, now, e.Msg.ConversationID, e.Edit.ChannelID, ""))
		}
	}
	return out
}

// StatusEvents are the event records of a single change of a message
// outside an ingest batch (a send's outcome, a retry noted, a delivery
// status, a media download finished or given up): message.updated when
// the change changed it, none otherwise. The stores write them in the
// change's transaction, so a kill after its commit loses no event.
func StatusEvents(messageID string, changed bool, now time.Time) []*switchboard.EventRecord {
	if !changed || messageID == "" {
		return nil
	}
	// The conversation and channel are read when it is fanned out.
	return []*switchboard.EventRecord{switchboard.NewEventRecord(switchboard.EventMessageUpdated, now, "", "", messageID)}
}
