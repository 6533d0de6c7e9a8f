package worker

import (
	"slices"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// This file converts the webhooks of a coexistence number, one in use
// with both the WhatsApp Business app and Cloud API: smb_message_echoes
// (what the business sent, edited or revoked in the app) and history (the
// app's past chats, synchronised once after onboarding).

// echoes converts the message echoes of a change: a sent message becomes
// an outbound message of the customer it was sent to, authored by the
// WhatsApp Business app; an edit or revoke becomes a MessageEdit of the
// original message.
func (w *Ingest) echoes(q *queued, chID string, v *whatsapp.Value, b *switchboard.InboundBatch, reasons *[]string) {
	for i := range v.MessageEchoes {
		m := &v.MessageEchoes[i]
		if e, ok := edit(chID, m); ok {
			if e.WAMessageID == "" {
				*reasons = append(*reasons, "message echo "+m.Type+" without the original message id")
				continue
			}
			b.Edits = append(b.Edits, e)
			continue
		}
		in := echo(chID, v, m, m.To)
		if !in.HasSender() {
			w.Logger.Warn("message echo without a recipient; kept as a dead letter", "event", q.ev.ID)
			*reasons = append(*reasons, "message echo without a recipient (neither to nor to_user_id)")
			continue
		}
		b.Messages = append(b.Messages, in)
	}
}

// echo converts a message the business sent from the app: the customer is
// the recipient (to, to_user_id; thread the history thread's id when the
// message leaves "to" out).
func echo(chID string, v *whatsapp.Value, m *whatsapp.Message, thread string) switchboard.InboundMessage {
	in := inbound(chID, v, m)
	in.WaID, in.UserID, in.ParentUserID, in.ProfileName, in.Username = firstNonEmpty(m.To, thread), m.ToUserID, m.ToParentUserID, "", ""
	in.NewWaID, in.NewUserID = "", ""
	in.Message.Author = switchboard.AuthorBusinessApp
	return in
}

// edit converts an echo of an edit or revoke; ok is false for other
// types.
func edit(chID string, m *whatsapp.Message) (switchboard.MessageEdit, bool) {
	ts, err := m.Time()
	if err != nil {
		ts = time.Time{}
	}
	e := switchboard.MessageEdit{ChannelID: chID, At: ts}
	switch {
	case m.Type == whatsapp.MessageTypeRevoke:
		e.Revoke = true
		if m.Revoke != nil {
			e.WAMessageID = m.Revoke.OriginalMessageID
		}
	case m.Type == whatsapp.MessageTypeEdit:
		if m.Edit != nil {
			e.WAMessageID = m.Edit.OriginalMessageID
			if nm := m.Edit.Message; nm != nil {
				switch {
				case nm.Text != nil:
					e.Text = nm.Text.Body
				case nm.Media() != nil:
					e.Text = nm.Media().Caption
				}
			}
		}
	default:
		return e, false
	}
	return e, true
}

// history converts the chunks of a history change: every message of every
// thread, imported, in order of time within its thread (chunks and their
// messages may arrive in any order; the store orders by timestamp). A
// message from the business's own number is the business's, sent from the
// app; the others are the customer's. A chunk that reports errors (the
// business declined to share its history) is logged with its codes only.
func (w *Ingest) history(chID string, v *whatsapp.Value, b *switchboard.InboundBatch, reasons *[]string) {
	for _, h := range v.History {
		for _, e := range h.Errors {
			w.Logger.Info("WhatsApp history sync reported an error", "channel", chID, "code", e.Code, "title", e.Title)
		}
		if len(h.Threads) > 0 {
			w.Logger.Info("WhatsApp history chunk", "channel", chID, "phase", int(h.Metadata.Phase),
				"chunk", int(h.Metadata.ChunkOrder), "progress", int(h.Metadata.Progress), "threads", len(h.Threads))
		}
		for _, t := range h.Threads {
			msgs := make([]*whatsapp.Message, len(t.Messages))
			for i := range t.Messages {
				msgs[i] = &t.Messages[i]
			}
			slices.SortStableFunc(msgs, func(a, b *whatsapp.Message) int {
				at, _ := a.Time()
				bt, _ := b.Time()
				return at.Compare(bt)
			})
			for _, m := range msgs {
				if m.Type == whatsapp.MessageTypeEdit || m.Type == whatsapp.MessageTypeRevoke {
					continue // history reports messages as they are
				}
				var in switchboard.InboundMessage
				business := m.To != "" || (m.From != "" && m.From == v.Metadata.DisplayPhoneNumber)
				if business {
					in = echo(chID, v, m, t.ID)
					in.Message.Status = historyStatus(m)
				} else {
					in = inbound(chID, v, m)
					if in.WaID == "" && in.UserID == "" {
						in.WaID = t.ID
					}
				}
				in.Message.Imported = true
				if !in.HasSender() {
					*reasons = append(*reasons, "history message without a customer (neither a thread id nor from)")
					continue
				}
				b.Messages = append(b.Messages, in)
			}
		}
	}
}

// historyStatus maps a business message's status at synchronisation to
// Switchboard's; sent when it is missing or unknown.
func historyStatus(m *whatsapp.Message) switchboard.MessageStatus {
	if m.HistoryContext == nil {
		return switchboard.MessageSent
	}
	switch m.HistoryContext.Status {
	case "READ", "read", "PLAYED", "played":
		return switchboard.MessageRead
	case "DELIVERED", "delivered":
		return switchboard.MessageDelivered
	}
	return switchboard.MessageSent
}
