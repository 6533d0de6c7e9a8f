package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// EraseContact erases everything stored about one contact (GDPR article
// 17): the store destroys the contact's data key and deletes their rows in
// one transaction and records the erasure in the register; then the media
// files are deleted. It needs privacy.manage; a nil actor is the command
// line. A contact in a channel the actor's role does not allow is not
// found. The audit entry names only the contact id and counts. When
// Register is set, the erasure register is copied out of the database
// afterwards; a failure there is logged loudly but does not fail the
// erasure, which has committed.
func (s *Service) EraseContact(ctx context.Context, a *switchboard.Actor, contactID string) (*switchboard.ErasedContact, error) {
	_, convs, err := s.privacyContact(ctx, a, "contact.erase", contactID)
	if err != nil {
		return nil, err
	}
	e := switchboard.Erasure{ContactID: contactID, ErasedAt: s.now()}
	if a != nil && a.User != nil {
		e.ActorID = a.User.ID
	}
	// The store adds the counts to the entry it writes with the erasure.
	actx, done := s.auditing(ctx, a, "contact.erase", "contact", contactID, nil)
	deleted := make([]*switchboard.EventRecord, len(convs))
	for i, c := range convs {
		deleted[i] = switchboard.NewEventRecord(switchboard.EventConversationDeleted, s.now(), c.ID, c.ChannelID, contactID)
	}
	actx = switchboard.WithEvents(actx, deleted...)
	res, err := s.Store.EraseContact(actx, e)
	if err != nil {
		return nil, err
	}
	done()
	s.deleteErasedMedia(ctx, res)
	// Whoever has the conversations open or listed drops them now.
	for _, c := range convs {
		s.publish(actx, switchboard.EventConversationDeleted, c,
			switchboard.DeletedConversation{ID: c.ID, ContactID: contactID, Reason: "erased"})
	}
	if s.Register != nil {
		if err := s.Register.Sync(ctx); err != nil {
			s.Logger.Error("ERASURE REGISTER NOT COPIED: a restore of an older backup on another server would not erase the contact again; the next scheduled backup or `switchboard backup create` retries", "err", err)
		}
	}
	return res, nil
}

// ErasureRegister keeps the erasure register outside the database (in the
// data dir and beside the backups), so that a restore of an older backup
// erases the contacts again; internal/erasure implements it.
type ErasureRegister interface {
	// Sync copies the store's current register out.
	Sync(ctx context.Context) error
}

// deleteErasedMedia deletes the media files of an erased contact. A file
// that cannot be deleted is logged by id only: its bytes are sealed under
// the destroyed key and can no longer be read.
func (s *Service) deleteErasedMedia(ctx context.Context, res *switchboard.ErasedContact) {
	s.deleteMediaFiles(ctx, res.MediaIDs)
}

// deleteMediaFiles deletes media files whose rows the store has deleted.
// A file that cannot be deleted is logged by id only; it is orphaned,
// sealed under a key that is destroyed or no longer referenced.
func (s *Service) deleteMediaFiles(ctx context.Context, ids []string) {
	if s.Blobs == nil {
		return
	}
	for _, id := range ids {
		if err := s.Blobs.Delete(ctx, id); err != nil {
			s.Logger.Warn("delete media file", "media_id", id, "err", err)
		}
	}
}

// ReapplyErasures erases again every contact in register that the store
// still holds, e.g. after restoring a backup made before those erasures,
// and makes sure the store's own register lists them all. It returns how
// many contacts it erased. Each erasure is audited as contact.erase with
// detail reapplied=true and no actor.
func (sys *System) ReapplyErasures(ctx context.Context, register []switchboard.Erasure) (int, error) {
	s := sys.svc
	own, err := s.Store.Erasures(ctx)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	all := make([]switchboard.Erasure, 0, len(own)+len(register))
	for _, e := range append(own, register...) {
		if !seen[e.ContactID] && switchboard.ValidID(e.ContactID) {
			seen[e.ContactID] = true
			all = append(all, e)
		}
	}
	n := 0
	for _, e := range all {
		actx, done := s.auditing(ctx, nil, "contact.erase", "contact", e.ContactID, map[string]string{"reapplied": "true"})
		res, err := s.Store.EraseContact(actx, e)
		switch {
		case switchboard.ErrorCode(err) == switchboard.ENotFound:
			// Not in this database (erased before the backup was made,
			// or never in it): keep the register complete.
			if err := s.Store.RecordErasure(ctx, e); err != nil {
				return n, err
			}
			continue
		case err != nil:
			return n, err
		}
		n++
		done()
		s.deleteErasedMedia(ctx, res)
	}
	return n, nil
}
