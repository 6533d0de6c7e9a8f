package storekit

import "github.com/switchboardhq/switchboard"

// PreparedEdit is an edit or revoke of a batch with the blind index of its
// message's wamid and, once a store applied it, the message as it is after
// it (Msg nil when no stored message has that wamid).
type PreparedEdit struct {
	Edit    switchboard.MessageEdit
	Hash    []byte
	Msg     *switchboard.Message
	Changed bool
}

// EditResults assembles the batch result's edits once the batch committed:
// each edit's message, and for a changed one its conversation as it is now.
func EditResults(edits []PreparedEdit, conversation func(id string) (*switchboard.Conversation, error)) ([]*switchboard.EditResult, error) {
	out := make([]*switchboard.EditResult, len(edits))
	for i, pe := range edits {
		r := &switchboard.EditResult{Message: pe.Msg, Changed: pe.Changed}
		if pe.Changed {
			c, err := conversation(pe.Msg.ConversationID)
			if err != nil {
				return nil, err
			}
			r.Conversation = c
		}
		out[i] = r
	}
	return out, nil
}
