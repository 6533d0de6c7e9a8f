package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/media"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// MaxCaptionLength is WhatsApp's limit for media captions.
const MaxCaptionLength = 1024

// maxUpload is the largest file WhatsApp takes (documents, 100 MB).
const maxUpload = 100 << 20

// MediaLimit is a kind of file that can be sent, its MIME types and size
// limit.
type MediaLimit = whatsapp.MediaLimit

// MediaLimits returns the table StoreUpload checks files against, so that
// clients check a picked file before uploading it.
func MediaLimits() []MediaLimit { return whatsapp.MediaLimits() }

// Outgoing is a message a user sends.
type Outgoing struct {
	Type    switchboard.MessageType // text, image, video, audio, document, sticker or template
	Text    string                  // body, or caption for media
	ReplyTo string                  // our id of a message in the conversation to quote
	// MediaID names a file stored with StoreUpload, for media types.
	MediaID string
	// Template is the template to send, for type template; its parameters
	// are keyed like "body.1", "header.1" or a named placeholder "body.name".
	Template *switchboard.TemplateSend
	// Interactive is the buttons, list or link to send, for type
	// interactive.
	Interactive *switchboard.InteractiveSend
	// IdempotencyKey makes a retried request return the first result.
	IdempotencyKey string
}

// ErrContactBlocked refuses a message to a customer the business blocked,
// before it reaches WhatsApp (which would refuse it too).
var ErrContactBlocked = &switchboard.Error{Code: switchboard.EConflict,
	Message: "This customer is blocked: nothing can be sent to them. Unblock them first."}

// Keyring hands out data keys by id; the store's keyring implements it.
type Keyring interface {
	Get(ctx context.Context, id string) (*seal.DataKey, error)
}

// mediaAAD binds an encrypted file to its media id.
func mediaAAD(id string) []byte { return seal.AAD("media", "blob", id) }

// StoreUpload encrypts an uploaded file under the conversation's contact key
// and records it, for a later Send. The type and size are checked against
// WhatsApp's limits before anything is stored.
func (s *Service) StoreUpload(ctx context.Context, a *switchboard.Actor, conversationID, kind, filename, mimeType string, size int64, r io.Reader) (*switchboard.MediaFile, error) {
	return s.UploadRequest(ctx, a, conversationID, func() (Upload, error) {
		return Upload{Kind: kind, Filename: filename, MIMEType: mimeType, Size: size, Body: r}, nil
	})
}

// Upload is a file arriving for a conversation.
type Upload struct {
	// Kind is the WhatsApp media type (image, video, audio, document,
	// sticker).
	Kind, Filename, MIMEType string
	// Size is the announced size in bytes; -1 when unknown, then the
	// file is checked as it streams in.
	Size int64
	Body io.Reader
}

// UploadRequest is StoreUpload for a request that is read only after the
// visibility check (read is called then; the HTTP handler reads the form
// up to the file there), so that a conversation the actor may not see is
// ENotFound, exactly like a missing one, whatever the request carries.
func (s *Service) UploadRequest(ctx context.Context, a *switchboard.Actor, conversationID string, read func() (Upload, error)) (*switchboard.MediaFile, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	up, err := read()
	if err != nil {
		return nil, err
	}
	kind, filename, mimeType, size, r := up.Kind, up.Filename, up.MIMEType, up.Size, up.Body
	if !a.Can(switchboard.PermConversationsReply) {
		return nil, forbidden()
	}
	if s.Blobs == nil || s.Keys == nil {
		return nil, switchboard.Errorf(switchboard.EUnavailable, "Media storage is not configured.")
	}
	// size < 0: unknown yet; check the type now and the size as it streams.
	if err := whatsapp.CheckOutboundMedia(kind, mimeType, max(size, 1)); err != nil {
		return nil, switchboard.Errorf(switchboard.EUnprocessable, "%s", err.Error())
	}
	limit := size
	if limit < 0 {
		limit = maxUpload
	}
	key, err := s.Keys.Get(ctx, c.KeyID)
	if err != nil {
		return nil, fmt.Errorf("media key: %w", err)
	}
	f := &switchboard.MediaFile{
		ID: switchboard.NewID(), ConversationID: c.ID, KeyID: c.KeyID, MIMEType: mimeType,
		Filename: media.SafeFilename(filename), CreatedAt: s.now(),
	}
	hash := newHashingReader(io.LimitReader(r, limit+1))
	pr, pw := io.Pipe()
	go func() {
		_, err := media.Encrypt(pw, hash, key, mediaAAD(f.ID))
		pw.CloseWithError(err)
	}()
	if _, err := s.Blobs.Put(ctx, f.ID, pr); err != nil {
		pr.CloseWithError(err)
		return nil, fmt.Errorf("store upload: %w", err)
	}
	if size >= 0 && hash.n != size {
		_ = s.Blobs.Delete(ctx, f.ID)
		return nil, switchboard.Errorf(switchboard.EInvalid, "The upload was %d bytes, not the announced %d.", hash.n, size)
	}
	if err := whatsapp.CheckOutboundMedia(kind, mimeType, hash.n); err != nil || hash.n == 0 {
		_ = s.Blobs.Delete(ctx, f.ID)
		if hash.n == 0 {
			return nil, switchboard.Errorf(switchboard.EInvalid, "The file is empty.")
		}
		return nil, switchboard.Errorf(switchboard.EUnprocessable, "%s", err.Error())
	}
	f.Size, f.SHA256 = hash.n, hash.sum()
	if err := s.Store.CreateMedia(ctx, f); err != nil {
		_ = s.Blobs.Delete(ctx, f.ID)
		return nil, err
	}
	return f, nil
}

// OpenMedia returns a stored file's metadata and a reader of its decrypted
// bytes, if the actor may see the file's conversation.
func (s *Service) OpenMedia(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.MediaFile, io.ReadCloser, error) {
	if !switchboard.ValidID(id) {
		return nil, nil, switchboard.NotFound("Media")
	}
	f, err := s.Store.Media(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.visibleConversation(ctx, a, f.ConversationID); err != nil {
		return nil, nil, switchboard.NotFound("Media")
	}
	return s.System().ReadMedia(ctx, id)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Send stores a message as pending in the outbox; the sender worker
// delivers it. It needs conversations.reply. Free-form messages need an open
// customer-service window; templates do not.
func (s *Service) Send(ctx context.Context, a *switchboard.Actor, conversationID string, in Outgoing) (*switchboard.Message, error) {
	return s.SendRequest(ctx, a, conversationID, func() (Outgoing, error) { return in, nil })
}

// SendRequest is Send for a request that is read only after the
// visibility check (read is called then; the HTTP handler decodes the body
// or receives the upload there), so that a conversation the actor may not
// see is ENotFound, exactly like a missing one, whatever the request
// carries. The conversation is read once.
func (s *Service) SendRequest(ctx context.Context, a *switchboard.Actor, conversationID string, read func() (Outgoing, error)) (*switchboard.Message, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "message.send")
	if err != nil {
		return nil, err
	}
	in, err := read()
	if err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsReply) {
		s.audit(ctx, a, "message.send", "conversation", conversationID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	// The channel's bot sends only while it handles the conversation.
	bot := s.isBotActor(ctx, a, c)
	if bot {
		if _, err := switchboard.Handoff(c.HandoffState(), switchboard.HandoffEvent{Kind: switchboard.HandoffBotSends,
			BotAgentID: a.User.ID, ActorID: a.User.ID}); err != nil {
			s.audit(ctx, a, "message.send", "conversation", conversationID, switchboard.OutcomeDenied, map[string]string{"handler": string(c.Handler)})
			return nil, err
		}
	}
	if c.Contact.Blocked {
		return nil, ErrContactBlocked
	}
	if len(in.IdempotencyKey) > 200 {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Idempotency-Key must be at most 200 characters.")
	}
	// A key is scoped to the user and the conversation: the same key in
	// another conversation is another message, not a replay of the first.
	// The store keeps the scoped form; conversation ids are fixed-length
	// hex, so the prefix cannot be forged by a key.
	if in.IdempotencyKey != "" {
		in.IdempotencyKey = c.ID + ":" + in.IdempotencyKey
	}
	if in.IdempotencyKey != "" {
		if m, err := s.Store.IdempotentMessage(ctx, a.User.ID, in.IdempotencyKey); err == nil {
			return m, nil
		} else if switchboard.ErrorCode(err) != switchboard.ENotFound {
			return nil, err
		}
	}
	now := s.now()
	m := &switchboard.Message{
		ID: switchboard.NewID(), ConversationID: c.ID, Direction: switchboard.DirectionOut,
		Type: in.Type, Status: switchboard.MessagePending, SenderID: a.User.ID,
		Timestamp: now, CreatedAt: now, UpdatedAt: now, IdempotencyKey: in.IdempotencyKey,
	}
	if err := s.buildContent(ctx, c, in, m); err != nil {
		return nil, err
	}
	if m.Type != switchboard.TypeTemplate && !c.WindowOpen(now) {
		return nil, switchboard.Errorf(switchboard.EWindowClosed,
			"The customer last wrote more than 24 hours ago. Only an approved template can be sent now.")
	}
	if in.ReplyTo != "" {
		q, err := s.Store.Message(ctx, in.ReplyTo)
		if err != nil || q.ConversationID != c.ID {
			return nil, switchboard.Errorf(switchboard.EInvalid, "The quoted message is not in this conversation.")
		}
		m.ReplyToID = q.ID
	}
	// The message's events are recorded in its transaction.
	sctx := switchboard.WithEvents(ctx,
		switchboard.NewEventRecord(switchboard.EventMessageCreated, now, c.ID, c.ChannelID, m.ID),
		switchboard.NewEventRecord(switchboard.EventConversationUpdated, now, c.ID, c.ChannelID, ""))
	c, err = s.Store.CreateOutboundMessage(sctx, m)
	if switchboard.ErrorCode(err) == switchboard.EConflict && in.IdempotencyKey != "" {
		// The same key raced in from a parallel retry: answer with its result.
		return s.Store.IdempotentMessage(ctx, a.User.ID, in.IdempotencyKey)
	} else if err != nil {
		return nil, err
	}
	if s.Outbox != nil {
		s.Outbox.Notify()
	}
	s.publish(sctx, switchboard.EventMessageCreated, c, m)
	s.publish(sctx, switchboard.EventConversationUpdated, c, c)
	s.audit(ctx, a, "message.send", "message", m.ID, switchboard.OutcomeSuccess,
		map[string]string{"conversation_id": c.ID, "type": string(m.Type)})
	if !bot {
		s.personActed(ctx, c, switchboard.HandoffPersonReplied, a.User.ID)
	}
	if m.Type != switchboard.TypeTemplate && m.Type != switchboard.TypeInteractive {
		// The composer's text went out: its draft is done.
		s.clearDraft(ctx, a, c.ID)
	}
	return m, nil
}

func (s *Service) buildContent(ctx context.Context, c *switchboard.Conversation, in Outgoing, m *switchboard.Message) error {
	text := strings.TrimSpace(in.Text)
	if !utf8.ValidString(text) {
		return switchboard.Errorf(switchboard.EInvalid, "The text is not valid UTF-8.")
	}
	switch in.Type {
	case switchboard.TypeText:
		if text == "" {
			return switchboard.Errorf(switchboard.EInvalid, "Message text is empty.")
		}
		if utf8.RuneCountInString(text) > MaxTextLength {
			return switchboard.Errorf(switchboard.EInvalid, "Message text must be at most %d characters.", MaxTextLength)
		}
		m.Content.Text = text
	case switchboard.TypeImage, switchboard.TypeVideo, switchboard.TypeAudio, switchboard.TypeDocument, switchboard.TypeSticker:
		if in.MediaID == "" {
			return switchboard.Errorf(switchboard.EInvalid, "A %s message needs a file.", in.Type)
		}
		f, err := s.Store.Media(ctx, in.MediaID)
		if err != nil || f.ConversationID != c.ID || f.MessageID != "" {
			return switchboard.Errorf(switchboard.EInvalid, "Unknown file: upload it to this conversation first.")
		}
		if err := whatsapp.CheckOutboundMedia(string(in.Type), f.MIMEType, f.Size); err != nil {
			return switchboard.Errorf(switchboard.EUnprocessable, "%s", err.Error())
		}
		if text != "" && (in.Type == switchboard.TypeAudio || in.Type == switchboard.TypeSticker) {
			return switchboard.Errorf(switchboard.EInvalid, "Audio and stickers cannot have a caption.")
		}
		if utf8.RuneCountInString(text) > MaxCaptionLength {
			return switchboard.Errorf(switchboard.EInvalid, "Captions must be at most %d characters.", MaxCaptionLength)
		}
		m.Content.Text = text
		m.Content.Media = &switchboard.Media{ID: f.ID, MIMEType: f.MIMEType, Filename: f.Filename, Size: f.Size, SHA256: f.SHA256, State: switchboard.MediaReady}
	case switchboard.TypeTemplate:
		if in.Template == nil || in.Template.Name == "" || in.Template.Language == "" {
			return switchboard.Errorf(switchboard.EInvalid, "A template message needs template.name and template.language.")
		}
		t, err := s.findTemplate(ctx, c.ChannelID, in.Template.Name, in.Template.Language)
		if err != nil {
			return err
		}
		if _, err := whatsapp.BuildTemplateComponents(t, in.Template.Parameters); err != nil {
			return switchboard.Errorf(switchboard.EUnprocessable, "%s", err.Error())
		}
		if c.Contact.WaID == "" && strings.EqualFold(t.Category, whatsapp.CategoryAuthentication) {
			// Meta refuses them (131062): one-tap, zero-tap and copy-code
			// authentication templates still go to phone numbers only.
			return switchboard.Errorf(switchboard.EUnprocessable,
				"Authentication templates need the customer's phone number, and this customer shares only a username. Use another template.")
		}
		if strings.EqualFold(t.Category, whatsapp.CategoryMarketing) {
			if err := s.marketingAllowed(ctx, c); err != nil {
				return err
			}
		}
		m.Content.Template = in.Template
		m.Content.Text = renderTemplate(t, in.Template.Parameters)
	case switchboard.TypeInteractive:
		if in.Interactive == nil {
			return switchboard.Errorf(switchboard.EInvalid, "An interactive message needs the interactive object.")
		}
		it := *in.Interactive
		it.Buttons = append([]switchboard.ReplyButton(nil), it.Buttons...)
		it.Sections = append([]switchboard.ListSection(nil), it.Sections...)
		for i := range it.Sections {
			it.Sections[i].Rows = append([]switchboard.ListRow(nil), it.Sections[i].Rows...)
		}
		it.Normalize()
		if err := it.Validate(); err != nil {
			return err
		}
		m.Content.InteractiveSend = &it
		m.Content.Text = it.Summary()
	default:
		return switchboard.Errorf(switchboard.EInvalid, "type must be text, image, video, audio, document, sticker, template or interactive.")
	}
	return nil
}

// findTemplate returns a channel's approved template in Meta's shape.
func (s *Service) findTemplate(ctx context.Context, channelID, name, language string) (whatsapp.Template, error) {
	all, err := s.Store.Templates(ctx, channelID)
	if err != nil {
		return whatsapp.Template{}, err
	}
	for _, t := range all {
		if t.Name != name || t.Language != language {
			continue
		}
		if t.Status != "APPROVED" {
			return whatsapp.Template{}, switchboard.Errorf(switchboard.EUnprocessable, "Template %q (%s) is %s, not approved.", name, language, strings.ToLower(t.Status))
		}
		return ToWhatsAppTemplate(t)
	}
	return whatsapp.Template{}, switchboard.Errorf(switchboard.EUnprocessable, "No approved template %q in language %q on this channel. Sync templates and try again.", name, language)
}

// ToWhatsAppTemplate converts a synced template to the Graph client's type.
func ToWhatsAppTemplate(t *switchboard.Template) (whatsapp.Template, error) {
	wt := whatsapp.Template{Name: t.Name, Language: t.Language, Status: t.Status, Category: t.Category, ParameterFormat: t.ParameterFormat}
	if len(t.Components) > 0 {
		if err := json.Unmarshal(t.Components, &wt.Components); err != nil {
			return wt, fmt.Errorf("template components: %w", err)
		}
	}
	return wt, nil
}

// renderTemplate fills the body text for the preview and history, so
// users see what the customer received.
func renderTemplate(t whatsapp.Template, params map[string]string) string {
	var body string
	for _, c := range t.Components {
		if strings.EqualFold(c.Type, "BODY") {
			body = c.Text
		}
	}
	if body == "" {
		return t.Name
	}
	for k, v := range params {
		name := strings.TrimPrefix(k, "body.")
		if name == k {
			continue
		}
		body = strings.ReplaceAll(body, "{{"+name+"}}", v)
	}
	return body
}

// ReadMedia opens a stored file for the system (the sender uploading it to
// Meta); users go through OpenMedia, which checks visibility.
func (sys *System) ReadMedia(ctx context.Context, id string) (*switchboard.MediaFile, io.ReadCloser, error) {
	s := sys.svc
	if s.Blobs == nil || s.Keys == nil {
		return nil, nil, switchboard.Errorf(switchboard.EUnavailable, "Media storage is not configured.")
	}
	f, err := s.Store.Media(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	key, err := s.Keys.Get(ctx, f.KeyID)
	if err != nil {
		return nil, nil, fmt.Errorf("media key: %w", err)
	}
	blob, err := s.Blobs.Get(ctx, f.ID)
	if err != nil {
		return nil, nil, err
	}
	return f, readCloser{media.Decrypt(blob, key, mediaAAD(f.ID)), blob}, nil
}

// WriteMedia encrypts a downloaded file under f.KeyID into blob storage;
// the caller records it in the store afterwards.
func (sys *System) WriteMedia(ctx context.Context, f *switchboard.MediaFile, r io.Reader) error {
	s := sys.svc
	if s.Blobs == nil || s.Keys == nil {
		return switchboard.Errorf(switchboard.EUnavailable, "Media storage is not configured.")
	}
	key, err := s.Keys.Get(ctx, f.KeyID)
	if err != nil {
		return fmt.Errorf("media key: %w", err)
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := media.Encrypt(pw, r, key, mediaAAD(f.ID))
		pw.CloseWithError(err)
	}()
	if _, err := s.Blobs.Put(ctx, f.ID, pr); err != nil {
		pr.CloseWithError(err)
		return err
	}
	return nil
}

// RetryableSendCodes are the error codes of a failed message after which
// sending it again may succeed: 0 (no answer from Meta, or the sender gave
// up after temporary failures) and Meta's temporary codes
// ([whatsapp.RetryableCodes]). Every other failure is permanent: the same
// message fails the same way.
func RetryableSendCodes() []int {
	return append([]int{0}, whatsapp.RetryableCodes()...)
}

// RetryUnknown sends a message whose outcome is unknown again, on the
// user's deliberate request: the sender never resends such a message by
// itself, because it may have reached the customer. It needs the right to
// reply in the conversation; other messages answer 404 as missing ones.
func (s *Service) RetryUnknown(ctx context.Context, a *switchboard.Actor, messageID string) (*switchboard.Message, error) {
	m, err := s.Store.Message(ctx, messageID)
	if err != nil {
		return nil, err
	}
	if _, err := s.workableConversation(ctx, a, m.ConversationID, "message.retry"); err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsReply) {
		s.audit(ctx, a, "message.retry", "message", m.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if m.Direction != switchboard.DirectionOut || m.Status != switchboard.MessageUnknown {
		return nil, switchboard.Errorf(switchboard.EConflict, "Only a message whose outcome is unknown can be sent again.")
	}
	// The store records message.updated in the requeue's transaction.
	res, err := s.Store.RequeueUnknown(ctx, m.ID, s.now())
	if err != nil {
		return nil, err
	}
	if s.Outbox != nil {
		s.Outbox.Notify()
	}
	s.publish(switchboard.WithLoggedEvents(ctx), switchboard.EventMessageUpdated, res.Conversation, res.Message)
	s.audit(ctx, a, "message.retry", "message", m.ID, switchboard.OutcomeSuccess,
		map[string]string{"conversation_id": m.ConversationID})
	return res.Message, nil
}

// marketingAllowed refuses a marketing template to a customer who stopped
// marketing messages (user_preferences): Meta would not deliver it
// (error 131050), and sending it anyway ignores the customer's choice.
func (s *Service) marketingAllowed(ctx context.Context, c *switchboard.Conversation) error {
	p, err := s.Store.ContactProfile(ctx, c.Contact.ID)
	if err != nil {
		return err
	}
	if p.Marketing != nil && p.Marketing.Stopped {
		return switchboard.Errorf(switchboard.EUnprocessable,
			"This customer stopped marketing messages on %s. Send a utility template, or wait until they resume marketing messages.",
			p.Marketing.At.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return nil
}
