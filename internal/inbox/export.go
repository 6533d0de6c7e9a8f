package inbox

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// ContactExport is everything stored about one contact (GDPR articles 15
// and 20), gathered from the store; WriteZip streams it with the media
// files. Gathering reads every row first, so a database error becomes an
// error response instead of a truncated archive.
type ContactExport struct {
	Contact       *switchboard.Contact
	Channel       ExportChannel
	Conversations []*switchboard.Conversation
	Messages      []*switchboard.Message // oldest first
	// Suggestions are the bot's draft replies in the conversations, newest
	// first per conversation.
	Suggestions []*switchboard.Suggestion
	// Thread holds the team's private notes and the activity lines of the
	// conversations, oldest first: notes about a customer are personal
	// data too, though the customer never saw them.
	Thread []*switchboard.ThreadEntry
	Media  []*switchboard.MediaFile
	// ContactNotes are the team's notes about the contact (not about one
	// conversation), newest first; Attributes the custom attribute
	// values stored for them, with the attributes' names.
	ContactNotes []*switchboard.ContactNote
	Attributes   []ExportAttribute
	// Access is the audit of who read, changed or answered the contact's
	// conversations, and of earlier exports, oldest first.
	Access     []*AccessEntry
	ExportedAt time.Time
	// ExportedBy is the login of the exporting user; empty for the command
	// line.
	ExportedBy string
	// Profile holds the marketing preference and the identity history
	// (old phone numbers and BSUIDs).
	Profile *switchboard.ContactProfile

	svc *Service
}

// ExportAttribute is one custom attribute value of the contact.
type ExportAttribute struct {
	Name      string                    `json:"name"`
	Type      switchboard.AttributeType `json:"type"`
	Value     string                    `json:"value"`
	UpdatedAt string                    `json:"updated_at"`
}

// ExportChannel names the business number the contact wrote to.
type ExportChannel struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	DisplayPhoneNumber string `json:"display_phone_number"`
}

// exportPageSize is the page size for reading history and audit entries;
// the stores cap pages at 200.
const exportPageSize = 200

// ExportContact gathers everything stored about a contact. It needs
// privacy.manage and a role that allows the contact's channel (otherwise
// the contact does not exist for the actor); a nil actor is the command
// line. The export is audited as contact.export with counts only.
func (s *Service) ExportContact(ctx context.Context, a *switchboard.Actor, contactID string) (*ContactExport, error) {
	ct, convs, err := s.privacyContact(ctx, a, "contact.export", contactID)
	if err != nil {
		return nil, err
	}
	e := &ContactExport{Contact: ct, Conversations: convs, ExportedAt: s.now(), svc: s}
	if a != nil && a.User != nil {
		e.ExportedBy = a.User.Login
	}
	ch, err := s.Store.Channel(ctx, ct.ChannelID)
	if err != nil {
		return nil, err
	}
	e.Channel = ExportChannel{ID: ch.ID, Name: ch.Name, DisplayPhoneNumber: ch.DisplayPhoneNumber}
	if e.Profile, err = s.Store.ContactProfile(ctx, ct.ID); err != nil {
		return nil, err
	}
	for _, c := range convs {
		msgs, err := s.allMessages(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		e.Messages = append(e.Messages, msgs...)
		sgs, err := s.Store.Suggestions(ctx, c.ID, false, exportPageSize)
		if err != nil {
			return nil, err
		}
		e.Suggestions = append(e.Suggestions, sgs...)
		entries, err := s.allThreadEntries(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		e.Thread = append(e.Thread, entries...)
	}
	if e.Media, err = s.Store.ContactMedia(ctx, ct.ID); err != nil {
		return nil, err
	}
	if e.ContactNotes, err = s.Store.ContactNotes(ctx, ct.ID); err != nil {
		return nil, err
	}
	if e.Attributes, err = s.exportAttributes(ctx, ct.ID); err != nil {
		return nil, err
	}
	// Who touched the contact, their conversations, and (message.send
	// names the message) the messages sent to them.
	convIDs := make([]string, len(convs))
	for i, c := range convs {
		convIDs[i] = c.ID
	}
	var sent []string
	for _, m := range e.Messages {
		if m.Direction == switchboard.DirectionOut {
			sent = append(sent, m.ID)
		}
	}
	for _, o := range []struct {
		typ string
		ids []string
	}{{"contact", []string{ct.ID}}, {"conversation", convIDs}, {"message", sent}} {
		for ids := range slices.Chunk(o.ids, switchboard.MaxAuditObjectIDs) {
			entries, err := s.allAudit(ctx, switchboard.AuditFilter{ObjectType: o.typ, ObjectIDs: ids})
			if err != nil {
				return nil, err
			}
			for _, en := range entries {
				e.Access = append(e.Access, accessEntry(en))
			}
		}
	}
	slices.SortFunc(e.Access, func(x, y *AccessEntry) int { return int(x.Seq - y.Seq) })
	s.audit(ctx, a, "contact.export", "contact", ct.ID, switchboard.OutcomeSuccess, map[string]string{
		"conversations": strconv.Itoa(len(convs)),
		"messages":      strconv.Itoa(len(e.Messages)),
		"media":         strconv.Itoa(len(e.Media)),
		"notes":         strconv.Itoa(countNotes(e.Thread)),
		"contact_notes": strconv.Itoa(len(e.ContactNotes)),
	})
	return e, nil
}

// exportAttributes returns a contact's attribute values with their
// attributes' names, in the attributes' order.
func (s *Service) exportAttributes(ctx context.Context, contactID string) ([]ExportAttribute, error) {
	defs, err := s.Store.AttributeDefs(ctx)
	if err != nil {
		return nil, err
	}
	vals, err := s.Store.ContactAttributes(ctx, contactID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*switchboard.AttributeValue{}
	for _, v := range vals {
		byID[v.AttributeID] = v
	}
	out := []ExportAttribute{}
	for _, d := range defs {
		if v := byID[d.ID]; v != nil {
			out = append(out, ExportAttribute{Name: d.Name, Type: d.Type, Value: v.Value, UpdatedAt: v.UpdatedAt.UTC().Format(time.RFC3339)})
		}
	}
	return out, nil
}

// privacyContact checks the actor may export or erase contactID and
// returns the contact with their conversations. A missing permission is
// 403 and audited as denied; a contact outside the actor's channels is
// 404, like an unknown one.
func (s *Service) privacyContact(ctx context.Context, a *switchboard.Actor, action, contactID string) (*switchboard.Contact, []*switchboard.Conversation, error) {
	if a != nil && !a.Can(switchboard.PermPrivacyManage) {
		s.audit(ctx, a, action, "contact", contactID, switchboard.OutcomeDenied, nil)
		return nil, nil, forbidden()
	}
	if !switchboard.ValidID(contactID) {
		return nil, nil, switchboard.NotFound("Contact")
	}
	ct, convs, err := s.Store.ContactConversations(ctx, contactID)
	if err != nil {
		return nil, nil, err
	}
	if a != nil && !a.Role.AllowsChannel(ct.ChannelID) {
		return nil, nil, switchboard.NotFound("Contact")
	}
	return ct, convs, nil
}

// allMessages reads a conversation's whole history, oldest first.
func (s *Service) allMessages(ctx context.Context, conversationID string) ([]*switchboard.Message, error) {
	var out []*switchboard.Message
	before := ""
	for {
		page, next, err := s.Store.Messages(ctx, conversationID, switchboard.MessagePage{Before: before, Limit: exportPageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" || len(page) == 0 {
			break
		}
		before = next
	}
	slices.Reverse(out)
	return out, nil
}

// allThreadEntries reads a conversation's notes and activity lines, oldest
// first, a page of the newest [switchboard.MaxThreadEntries] at a time.
func (s *Service) allThreadEntries(ctx context.Context, conversationID string) ([]*switchboard.ThreadEntry, error) {
	var out []*switchboard.ThreadEntry
	before := ""
	for {
		page, err := s.Store.ThreadEntries(ctx, conversationID, time.Time{}, before)
		if err != nil {
			return nil, err
		}
		out = append(page, out...)
		if len(page) < switchboard.MaxThreadEntries {
			return out, nil
		}
		before = storecrypt.EncodeCursor(page[0].CreatedAt, page[0].ID)
	}
}

func countNotes(entries []*switchboard.ThreadEntry) int {
	n := 0
	for _, e := range entries {
		if e.Kind == switchboard.NoteEntry {
			n++
		}
	}
	return n
}

// allAudit reads every audit entry matching f.
func (s *Service) allAudit(ctx context.Context, f switchboard.AuditFilter) ([]*switchboard.AuditEntry, error) {
	var out []*switchboard.AuditEntry
	f.Limit = exportPageSize
	for {
		page, next, err := s.Store.AuditEntries(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" || len(page) == 0 {
			return out, nil
		}
		f.Cursor = next
	}
}

// Filename is the archive's suggested file name.
func (e *ContactExport) Filename() string { return ExportFilename(e.Contact.ID) }

// ExportFilename is the suggested file name of a contact's export.
func ExportFilename(contactID string) string {
	return "switchboard-contact-" + contactID + ".zip"
}

// exportMedia is a media file's entry in media.json.
type exportMedia struct {
	*switchboard.MediaFile
	// Path is the file inside the archive; empty when it is missing.
	Path string `json:"path,omitempty"`
	// Missing explains why the file is not in the archive.
	Missing string `json:"missing,omitempty"`
}

const exportReadme = `Switchboard contact data export
================================

This archive holds everything Switchboard stored about one WhatsApp contact
at the time of the export (GDPR articles 15 and 20). All files are JSON
(UTF-8) except the media files.

contact.json        the contact's profile: WhatsApp number, profile name,
                    when they first wrote, and the business number (channel)
                    they wrote to; when and by whom this export was made;
                    earlier phone numbers and WhatsApp user ids
                    (identity_history) and whether they stopped marketing
                    messages (marketing_preference)
conversations.json  the conversations with the business: status, assigned
                    employees (id and name), times
messages.json       every message in both directions, oldest first: type,
                    text, attachments, locations, reactions, delivery status
                    and errors, WhatsApp message ids, times; sender_id names
                    the employee who sent an outbound message
suggestions.json    draft replies a bot suggested in the conversations, with
                    their rationale and whether a person sent or discarded them
notes.json          the team's private notes about the conversations (never
                    sent to you) and its activity lines (who assigned or
                    closed a conversation, and when), oldest first
contact_notes.json  the team's notes about you as a customer (not about one
                    conversation; never sent to you), newest first
attributes.json     the custom fields the team keeps about you (e.g. a
                    customer tier or a birthday): name, type, value
media.json          the stored files (images, documents, voice notes...)
                    with type, size, SHA-256 and their path in this archive
media/              the files themselves, decrypted
access_log.json     the audit log entries about the contact and their
                    conversations: which employee read, assigned, answered
                    or exported them, and when (not the employees' network
                    addresses, which are their own personal data)

Times are UTC (RFC 3339).
`

// AccessEntry is an audit entry as the data subject sees it: who accessed
// their data, what they did and when. The employees' IP addresses and user
// agents are their own personal data and are left out (Art. 15(4) GDPR:
// the right of access must not affect the rights of others), and so are
// the chain hashes, which cover those fields and would let a reader test
// guesses of an employee's address.
type AccessEntry struct {
	Seq        int64             `json:"seq"`
	At         time.Time         `json:"at"`
	ActorID    string            `json:"actor_id"`
	ActorLogin string            `json:"actor_login"`
	Action     string            `json:"action"`
	ObjectType string            `json:"object_type"`
	ObjectID   string            `json:"object_id"`
	Outcome    string            `json:"outcome"`
	Detail     map[string]string `json:"detail,omitempty"`
}

func accessEntry(e *switchboard.AuditEntry) *AccessEntry {
	return &AccessEntry{Seq: e.Seq, At: e.At, ActorID: e.ActorID, ActorLogin: e.ActorLogin, Action: e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, Outcome: e.Outcome, Detail: e.Detail}
}

// WriteZip streams the export as a zip archive to w. An error after the
// first byte leaves a broken archive, so an HTTP handler must abort the
// response instead of ending it normally.
func (e *ContactExport) WriteZip(ctx context.Context, w io.Writer) error {
	zw := zip.NewWriter(w)
	add := func(name string, method uint16) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: e.ExportedAt})
	}
	addJSON := func(name string, v any) error {
		f, err := add(name, zip.Deflate)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	f, err := add("README.txt", zip.Deflate)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, exportReadme); err != nil {
		return err
	}
	contact := map[string]any{
		"contact": e.Contact, "channel": e.Channel, "exported_at": e.ExportedAt, "exported_by": e.ExportedBy,
	}
	if e.Profile != nil {
		contact["identity_history"] = e.Profile.IdentityHistory
		if e.Profile.Marketing != nil {
			contact["marketing_preference"] = e.Profile.Marketing
		}
	}
	if err := addJSON("contact.json", contact); err != nil {
		return err
	}
	msgs := e.Messages
	if msgs == nil {
		msgs = []*switchboard.Message{}
	}
	if err := addJSON("conversations.json", e.Conversations); err != nil {
		return err
	}
	if err := addJSON("messages.json", msgs); err != nil {
		return err
	}
	sgs := e.Suggestions
	if sgs == nil {
		sgs = []*switchboard.Suggestion{}
	}
	if err := addJSON("suggestions.json", sgs); err != nil {
		return err
	}
	thread := e.Thread
	if thread == nil {
		thread = []*switchboard.ThreadEntry{}
	}
	if err := addJSON("notes.json", thread); err != nil {
		return err
	}
	cnotes := e.ContactNotes
	if cnotes == nil {
		cnotes = []*switchboard.ContactNote{}
	}
	if err := addJSON("contact_notes.json", cnotes); err != nil {
		return err
	}
	attrs := e.Attributes
	if attrs == nil {
		attrs = []ExportAttribute{}
	}
	if err := addJSON("attributes.json", attrs); err != nil {
		return err
	}
	access := e.Access
	if access == nil {
		access = []*AccessEntry{}
	}
	if err := addJSON("access_log.json", access); err != nil {
		return err
	}
	index := make([]exportMedia, 0, len(e.Media))
	for _, m := range e.Media {
		em := exportMedia{MediaFile: m, Path: "media/" + exportFileName(m)}
		missing, err := e.copyMedia(ctx, add, em.Path, m.ID)
		if err != nil {
			return err
		}
		if missing != "" {
			em.Path, em.Missing = "", missing
		}
		index = append(index, em)
	}
	if err := addJSON("media.json", index); err != nil {
		return err
	}
	return zw.Close()
}

// copyMedia decrypts one media file into the archive. A file the media
// storage no longer has is reported as missing rather than failing the
// whole export; any other error aborts it.
func (e *ContactExport) copyMedia(ctx context.Context, add func(string, uint16) (io.Writer, error), name, id string) (missing string, err error) {
	_, r, err := e.svc.System().ReadMedia(ctx, id)
	if err != nil {
		if switchboard.ErrorCode(err) == switchboard.ENotFound {
			return "The file is no longer in media storage.", nil
		}
		return "", fmt.Errorf("media %s: %w", id, err)
	}
	defer r.Close()
	f, err := add(name, zip.Store)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, r); err != nil {
		return "", fmt.Errorf("media %s: %w", id, err)
	}
	return "", nil
}

// exportFileName is the name of a media file inside the archive: the
// media id (unique) and the original name reduced to safe characters, or
// an extension from the MIME type.
func exportFileName(m *switchboard.MediaFile) string {
	base := strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == ':' || unicode.IsControl(r):
			return '_'
		}
		return r
	}, path.Base(strings.ReplaceAll(m.Filename, "\\", "/")))
	if base == "." || base == "/" || base == ".." {
		base = ""
	}
	if r := []rune(base); len(r) > 100 {
		base = string(r[len(r)-100:])
	}
	if base != "" {
		return m.ID + "-" + base
	}
	if exts, _ := mime.ExtensionsByType(m.MIMEType); len(exts) > 0 {
		return m.ID + exts[0]
	}
	return m.ID
}
