package inbox

import (
	"context"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
)

// UploadTTL is how long an uploaded file that was never sent is kept: the
// composer sends it within seconds; what stays unsent longer was given up
// and is customer data without a purpose (docs/gdpr.md).
const UploadTTL = 24 * time.Hour

// ExpireUploads deletes the uploads older than UploadTTL that no message
// uses, rows and files, and returns how many. One `media.expire` audit
// entry records a run that deleted something.
func (sys *System) ExpireUploads(ctx context.Context) (int, error) {
	s := sys.svc
	before := s.now().Add(-UploadTTL)
	n := 0
	for {
		ids, err := s.Store.DeleteUnsentUploads(ctx, before, retentionBatch)
		n += len(ids)
		s.deleteMediaFiles(ctx, ids)
		if err != nil || len(ids) < retentionBatch || ctx.Err() != nil {
			if n > 0 {
				s.audit(ctx, nil, "media.expire", "media", "", switchboard.OutcomeSuccess,
					map[string]string{"uploads": strconv.Itoa(n), "before": before.Format(time.RFC3339)})
			}
			if err == nil {
				err = ctx.Err()
			}
			return n, err
		}
	}
}
