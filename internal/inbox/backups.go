package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
)

// BackupStatus returns the result of the scheduled backups, or
// {Enabled: false} when they are off. The permission catalogue has no
// backup permission; the status is shown to whoever may read the audit
// log (audit.read), the permission for checking that the installation
// keeps its records safe. Built in, only administrators have it.
func (s *Service) BackupStatus(ctx context.Context, a *switchboard.Actor) (backup.Status, error) {
	if !a.Can(switchboard.PermAuditRead) {
		return backup.Status{}, forbidden()
	}
	if s.Backups == nil {
		return backup.Status{}, nil
	}
	return s.Backups(), nil
}
