package inbox

import (
	"context"
	"fmt"

	"github.com/switchboardhq/switchboard"
)

// System runs the operations that act for no user, so nothing in them
// checks an actor: Meta's webhooks (VerifyWebhook, AcceptWebhook), the
// ingest worker's batches (ReceiveBatch, SetHandoff, Receive), delivery
// statuses and send results (ApplyStatus, Published), media the workers
// move (ReadMedia, WriteMedia), retention (ApplyRetention), erasures
// re-applied after a restore (ReapplyErasures), the built-in emulator's
// channel (EnsureChannel), the first-run setup token (SetupToken) and
// readiness (Ready, NoRealChannels).
// Everything a user does, with an Actor and its authorisation checks, is a
// method of Service.
//
// A System shares its Service's state (channel cache, sender names,
// handoff); get it with Service.System.
type System struct {
	svc *Service
}

// System returns the service's system operations.
func (s *Service) System() *System { return &System{svc: s} }

// Ready reports whether the installation can take traffic (GET /readyz):
// the database answers and has every migration this build knows. A newer
// schema is ready too: during a rolling upgrade the first new instance
// migrates while the old ones keep serving, which every release's
// migrations allow (docs/deploy.md, "Rolling upgrades"). Otherwise the
// error is EUnavailable with the reason, for the log.
func (sys *System) Ready(ctx context.Context) error {
	s := sys.svc
	if err := s.Store.Ping(ctx); err != nil {
		return switchboard.Errorf(switchboard.EUnavailable, "Database unreachable.")
	}
	applied, latest, err := s.Store.SchemaVersion(ctx)
	if err != nil || applied < latest {
		return switchboard.Errorf(switchboard.EUnavailable, "Database schema is not current.")
	}
	return nil
}

// NoRealChannels reports whether the installation talks to no real
// WhatsApp number: every channel, if any, is an emulator's. Only then may
// the built-in emulator start on its own (SWITCHBOARD_EMULATOR=auto), so a
// production instance never gets a demo channel and fake customers in its
// database.
func (sys *System) NoRealChannels(ctx context.Context) (bool, error) {
	chs, err := sys.svc.Store.Channels(ctx)
	if err != nil {
		return false, fmt.Errorf("list channels: %w", err)
	}
	for _, ch := range chs {
		if !ch.Emulated {
			return false, nil
		}
	}
	return true, nil
}
