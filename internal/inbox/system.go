package inbox

// System runs the operations that act for no user, so nothing in them
// checks an actor: Meta's webhooks (VerifyWebhook, AcceptWebhook), the
// ingest worker's batches (ReceiveBatch, SetHandoff, Receive), delivery
// statuses and send results (ApplyStatus, Published), media the workers
// move (ReadMedia, WriteMedia), retention (ApplyRetention), erasures
// re-applied after a restore (ReapplyErasures), the built-in emulator's
// channel (EnsureChannel) and the first-run setup token (SetupToken).
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
