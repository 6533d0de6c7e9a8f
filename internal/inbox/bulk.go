package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// The bulk actions of the conversation list.
const (
	BulkAssign   = "assign"   // add UserID as an assignee
	BulkUnassign = "unassign" // remove UserID
	BulkLabel    = "label"    // put LabelID on
	BulkUnlabel  = "unlabel"  // take LabelID off
	BulkStatus   = "status"   // set Status
)

// MaxBulk bounds the conversations of one bulk action.
const MaxBulk = 100

// BulkAction is one action applied to several conversations.
type BulkAction struct {
	Action  string
	UserID  string
	LabelID string
	Status  switchboard.ConversationStatus
}

// BulkResult is the outcome for one conversation: OK, or the error the
// single action would have answered (a conversation the actor may not see
// is "not_found", exactly like a missing one).
type BulkResult struct {
	ID    string     `json:"id"`
	OK    bool       `json:"ok"`
	Error *BulkError `json:"error,omitempty"`
}

// BulkError is a failed item's error code and message.
type BulkError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Bulk applies one action to each of ids in turn, each authorised,
// audited and published exactly as the single action (Assign, Unassign,
// SetLabel, SetStatus): one conversation's failure does not stop the
// others. The action's own values are checked once, before any
// conversation (EInvalid); ids repeat at most once each.
func (s *Service) Bulk(ctx context.Context, a *switchboard.Actor, ids []string, act BulkAction) ([]BulkResult, error) {
	switch act.Action {
	case BulkAssign, BulkUnassign:
		if act.UserID == "" {
			return nil, switchboard.Errorf(switchboard.EInvalid, "This action needs user_id.")
		}
	case BulkLabel, BulkUnlabel:
		if act.LabelID == "" {
			return nil, switchboard.Errorf(switchboard.EInvalid, "This action needs label_id.")
		}
	case BulkStatus:
		// Snoozing needs a time of its own: one conversation at a time.
		st, err := switchboard.ParseConversationStatus(string(act.Status))
		if err != nil || st == switchboard.StatusSnoozed {
			return nil, switchboard.Errorf(switchboard.EInvalid, "status must be open, pending or resolved.")
		}
		act.Status = st
	default:
		return nil, switchboard.Errorf(switchboard.EInvalid, "action must be assign, unassign, label, unlabel or status.")
	}
	if len(ids) == 0 {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Select at least one conversation.")
	}
	if len(ids) > MaxBulk {
		return nil, switchboard.Errorf(switchboard.EInvalid, "A bulk action takes at most 100 conversations.")
	}
	seen := make(map[string]bool, len(ids))
	out := make([]BulkResult, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		switch act.Action {
		case BulkAssign:
			_, err = s.Assign(ctx, a, id, act.UserID)
		case BulkUnassign:
			_, err = s.Unassign(ctx, a, id, act.UserID)
		case BulkLabel:
			_, err = s.SetLabel(ctx, a, id, act.LabelID, true)
		case BulkUnlabel:
			_, err = s.SetLabel(ctx, a, id, act.LabelID, false)
		case BulkStatus:
			_, err = s.SetStatus(ctx, a, id, act.Status)
		}
		r := BulkResult{ID: id, OK: err == nil}
		if err != nil {
			code := switchboard.ErrorCode(err)
			if code == switchboard.EInternal {
				s.Logger.Error("bulk action", "action", act.Action, "err", err)
			}
			r.Error = &BulkError{Code: code, Message: switchboard.ErrorMessage(err)}
		}
		out = append(out, r)
	}
	return out, nil
}
