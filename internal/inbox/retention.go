package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
)

// retentionBatch is how many rows of each kind one retention transaction
// deletes at most, so that the SQLite writer is never held for long.
const retentionBatch = 500

// RetentionResult is what one pass of the retention job deleted in one
// channel.
type RetentionResult struct {
	ChannelID     string
	Cutoff        time.Time
	Messages      int
	Conversations int
	Contacts      int
	MediaFiles    int
}

// ApplyRetention deletes, in every channel with a retention period
// (Channel.RetentionDays), the messages older than that many days (24-hour
// days before now) with their media, then the conversations and contacts
// left empty; see [switchboard.RetentionStore]. Each channel where
// something was deleted gets one audit entry channel.retention with the
// cutoff and counts. A failing channel does not stop the others; the
// errors are joined.
func (sys *System) ApplyRetention(ctx context.Context) ([]RetentionResult, error) {
	s := sys.svc
	chs, err := s.Store.Channels(ctx)
	if err != nil {
		return nil, err
	}
	var out []RetentionResult
	var errs []error
	for _, ch := range chs {
		if ch.RetentionDays <= 0 {
			continue
		}
		res, err := s.applyRetention(ctx, ch.ID, s.now().Add(-time.Duration(ch.RetentionDays)*24*time.Hour))
		if res.Messages+res.Conversations+res.Contacts+res.MediaFiles > 0 {
			out = append(out, res)
			d := map[string]string{
				"cutoff":         res.Cutoff.Format(time.RFC3339),
				"retention_days": strconv.Itoa(ch.RetentionDays),
				"messages":       strconv.Itoa(res.Messages),
				"conversations":  strconv.Itoa(res.Conversations),
				"contacts":       strconv.Itoa(res.Contacts),
				"media":          strconv.Itoa(res.MediaFiles),
			}
			outcome := switchboard.OutcomeSuccess
			if err != nil {
				outcome = switchboard.OutcomeFailure
			}
			s.audit(ctx, nil, "channel.retention", "channel", ch.ID, outcome, d)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("channel %s: %w", ch.ID, err))
		}
	}
	return out, errors.Join(errs...)
}

// applyRetention deletes batches until nothing older than cutoff is left.
func (s *Service) applyRetention(ctx context.Context, channelID string, cutoff time.Time) (RetentionResult, error) {
	res := RetentionResult{ChannelID: channelID, Cutoff: cutoff}
	for {
		d, err := s.Store.DeleteExpired(ctx, channelID, cutoff, retentionBatch)
		if err != nil {
			return res, err
		}
		if d.Empty() {
			return res, nil
		}
		res.Messages += d.Messages
		res.Conversations += d.Conversations
		res.Contacts += d.Contacts
		res.MediaFiles += len(d.MediaIDs)
		s.deleteMediaFiles(ctx, d.MediaIDs)
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
}
