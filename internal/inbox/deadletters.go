package inbox

import (
	"context"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// DeadLetters lists the webhook events whose content could not be applied,
// newest first, for users who manage channels; a role limited to some
// channels sees only theirs.
func (s *Service) DeadLetters(ctx context.Context, a *switchboard.Actor) ([]*switchboard.DeadLetter, error) {
	if !a.Can(switchboard.PermChannelsManage) {
		return nil, forbidden()
	}
	all, err := s.Store.DeadLetters(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*switchboard.DeadLetter, 0, len(all))
	for _, d := range all {
		if a.Role.AllowsChannel(d.ChannelID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// ReplayDeadLetter returns a dead letter to the webhook queue, so that the
// ingest worker applies it again (what was stored before is recognised as
// a duplicate), and audits it as webhook.replay. A dead letter of a
// channel the role may not act on is ENotFound, like a missing one.
func (s *Service) ReplayDeadLetter(ctx context.Context, a *switchboard.Actor, id int64) error {
	if !a.Can(switchboard.PermChannelsManage) {
		return forbidden()
	}
	all, err := s.Store.DeadLetters(ctx)
	if err != nil {
		return err
	}
	var found *switchboard.DeadLetter
	for _, d := range all {
		if d.ID == id && a.Role.AllowsChannel(d.ChannelID) {
			found = d
		}
	}
	if found == nil {
		return switchboard.NotFound("Dead letter")
	}
	if err := s.Store.ReplayDeadLetter(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, a, "webhook.replay", "webhook", strconv.FormatInt(id, 10), switchboard.OutcomeSuccess,
		map[string]string{"channel_id": found.ChannelID, "reason": found.Reason})
	return nil
}
