package storecrypt

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard"
)

// handoffNote is how a hand-off's reason and summary are sealed, in
// conversations.handoff_note.
type handoffNote struct {
	Reason  string `json:"reason"`
	Summary string `json:"summary"`
}

// SealHandoff seals the reason and summary of st for conversation convID
// under its data key keyID; nil when st records no hand-off.
func (c *Codec) SealHandoff(ctx context.Context, keyID, convID string, st switchboard.HandoffState) ([]byte, error) {
	if st.At.IsZero() && st.Reason == "" {
		return nil, nil
	}
	return c.SealJSON(ctx, keyID, "conversations", "handoff_note", convID, handoffNote{st.Reason, st.Summary})
}

// OpenHandoff sets conv's Handoff from the stored columns (its Handler is
// scanned already).
func (c *Codec) OpenHandoff(ctx context.Context, keyID string, conv *switchboard.Conversation, note []byte, at time.Time, by string, botFailures int) error {
	st := switchboard.HandoffState{Handler: conv.Handler, At: at.UTC(), By: by, BotFailures: botFailures}
	if note != nil {
		var n handoffNote
		if err := c.OpenJSON(ctx, keyID, "conversations", "handoff_note", conv.ID, note, &n); err != nil {
			return err
		}
		st.Reason, st.Summary = n.Reason, n.Summary
	}
	if at.IsZero() {
		st.At = time.Time{}
	}
	conv.SetHandoffState(st)
	return nil
}

// suggestionBody is how a suggestion's text and rationale are sealed, in
// suggestions.body.
type suggestionBody struct {
	Text      string `json:"text"`
	Rationale string `json:"rationale"`
}

// SealSuggestion seals sg's text and rationale under keyID.
func (c *Codec) SealSuggestion(ctx context.Context, keyID string, sg *switchboard.Suggestion) ([]byte, error) {
	return c.SealJSON(ctx, keyID, "suggestions", "body", sg.ID, suggestionBody{sg.Text, sg.Rationale})
}

// OpenSuggestion opens a sealed body into sg (ID set).
func (c *Codec) OpenSuggestion(ctx context.Context, keyID string, sg *switchboard.Suggestion, body []byte) error {
	var b suggestionBody
	if err := c.OpenJSON(ctx, keyID, "suggestions", "body", sg.ID, body, &b); err != nil {
		return err
	}
	sg.Text, sg.Rationale = b.Text, b.Rationale
	return nil
}
