package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// AuditActions is the catalogue of the actions this service writes to the
// audit log, sorted; TestAuditActionsCatalogue keeps it equal to the
// actions the code passes to audit. The web app's action filter is a list
// of these.
func AuditActions() []string {
	return []string{
		"audit.verify",
		"canned_reply.create",
		"canned_reply.delete",
		"canned_reply.update",
		"channel.create",
		"channel.retention",
		"channel.routing",
		"channel.templates_sync",
		"channel.update",
		"contact.attributes",
		"contact.block",
		"contact.erase",
		"contact.export",
		"contact.note",
		"contact.note_delete",
		"contact.unblock",
		"contact_attribute.create",
		"contact_attribute.delete",
		"contact_attribute.update",
		"conversation.assign",
		"conversation.assign_team",
		"conversation.bot_failure",
		"conversation.handoff",
		"conversation.label",
		"conversation.mention_dismiss",
		"conversation.note",
		"conversation.read",
		"conversation.status",
		"conversation.unassign",
		"conversation.unlabel",
		"label.create",
		"label.delete",
		"label.update",
		"media.expire",
		"message.retry",
		"message.send",
		"report.export",
		"report.read",
		"role.create",
		"role.delete",
		"role.update",
		"service_account.create",
		"session.login",
		"session.logout",
		"session.logout_all",
		"session.second_factor",
		"setup.complete",
		"suggestion.discard",
		"suggestion.send",
		"team.create",
		"team.delete",
		"team.update",
		"token.create",
		"token.revoke",
		"user.create",
		"user.passkey.delete",
		"user.passkey.register",
		"user.password_change",
		"user.two_factor.confirm",
		"user.two_factor.disable",
		"user.two_factor.enrol",
		"user.two_factor.recovery_code_used",
		"user.two_factor.recovery_codes_regenerate",
		"user.two_factor.reset",
		"user.update",
		"webhook.create",
		"webhook.delete",
		"webhook.redeliver",
		"webhook.replay",
		"webhook.rotate_secret",
		"webhook.update",
	}
}

// AuditObjectTypes is the catalogue of the object types the audit log's
// entries are about, sorted; TestAuditActionsCatalogue keeps it equal to
// the types the code passes to audit. The object-type filter is a list of
// these.
func AuditObjectTypes() []string {
	return []string{
		"audit",
		"canned_reply",
		"channel",
		"contact",
		"contact_attribute",
		"conversation",
		"label",
		"media",
		"message",
		"report",
		"role",
		"suggestion",
		"team",
		"token",
		"user",
		"webhook",
	}
}

// KnownAuditActions returns [AuditActions] and [AuditObjectTypes] to who
// may read the audit log.
func (s *Service) KnownAuditActions(ctx context.Context, a *switchboard.Actor) (actions, objectTypes []string, err error) {
	if !a.Can(switchboard.PermAuditRead) {
		return nil, nil, forbidden()
	}
	return AuditActions(), AuditObjectTypes(), nil
}
