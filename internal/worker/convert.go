package worker

import (
	"encoding/json"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// inbound converts one webhook message into what the store keeps. Every type
// WhatsApp sends is kept faithfully; types Switchboard does not model keep
// their raw payload and are shown as unsupported, so nothing is lost.
func inbound(channelID string, v *whatsapp.Value, m *whatsapp.Message) switchboard.InboundMessage {
	ts, err := m.Time()
	if err != nil {
		ts = time.Time{} // the store falls back to the arrival time
	}
	in := switchboard.InboundMessage{ChannelID: channelID, WaID: m.From, UserID: m.FromUserID}
	if c := v.SenderOf(m); c != nil {
		in.ProfileName, in.Username, in.ParentUserID = c.Profile.Name, c.Profile.Username, c.ParentUserID
		// contacts[] names the sender's identifiers too; a message whose
		// own fields leave one out still links both.
		if in.WaID == "" {
			in.WaID = c.WaID
		}
		if in.UserID == "" {
			in.UserID = c.UserID
		}
	}
	msg := &switchboard.Message{
		Direction:   switchboard.DirectionIn,
		WAMessageID: m.ID,
		Timestamp:   ts.UTC(),
		Type:        switchboard.TypeUnsupported,
	}
	in.Message = msg
	c := &msg.Content
	if m.Context != nil {
		c.Forwarded = m.Context.Forwarded
		c.FrequentlyForwarded = m.Context.FrequentlyForwarded
		if m.Context.ID != "" {
			in.ReplyToWAID = m.Context.ID
		}
	}
	if m.Referral != nil {
		c.Referral, _ = json.Marshal(m.Referral)
	}
	if len(m.Errors) > 0 {
		e := m.Errors[0]
		msg.Error = &switchboard.MessageError{Code: e.Code, Title: firstNonEmpty(e.Title, e.Message), Details: errorDetails(e)}
	}
	if m.DecodeError != "" {
		c.Raw = append(json.RawMessage(nil), m.Raw...)
		return in
	}
	switch m.Type {
	case whatsapp.MessageTypeText:
		if m.Text != nil {
			msg.Type, c.Text = switchboard.TypeText, m.Text.Body
		}
	case whatsapp.MessageTypeImage, whatsapp.MessageTypeAudio, whatsapp.MessageTypeVideo,
		whatsapp.MessageTypeDocument, whatsapp.MessageTypeSticker:
		if md := m.Media(); md != nil {
			msg.Type = switchboard.MessageType(m.Type)
			c.Text = md.Caption
			c.Media = &switchboard.Media{
				WAMediaID: md.ID, MIMEType: md.MimeType, SHA256: md.SHA256, Filename: md.Filename,
				Voice: md.Voice, Animated: md.Animated, State: switchboard.MediaPending,
			}
		}
	case whatsapp.MessageTypeLocation:
		if l := m.Location; l != nil {
			msg.Type = switchboard.TypeLocation
			c.Location = &switchboard.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address, URL: l.URL}
		}
	case whatsapp.MessageTypeContacts:
		if len(m.Contacts) > 0 {
			msg.Type = switchboard.TypeContacts
			c.Contacts, _ = json.Marshal(m.Contacts)
		}
	case whatsapp.MessageTypeInteractive:
		if i := m.Interactive; i != nil {
			msg.Type = switchboard.TypeInteractive
			it := &switchboard.Interactive{Kind: i.Type}
			switch {
			case i.ButtonReply != nil:
				it.ID, it.Title = i.ButtonReply.ID, i.ButtonReply.Title
			case i.ListReply != nil:
				it.ID, it.Title, it.Description = i.ListReply.ID, i.ListReply.Title, i.ListReply.Description
			case i.NFMReply != nil:
				it.Title, it.Description = i.NFMReply.Name, i.NFMReply.Body
				c.Raw = append(json.RawMessage(nil), m.Raw...)
			}
			c.Interactive, c.Text = it, it.Title
		}
	case whatsapp.MessageTypeButton:
		if b := m.Button; b != nil {
			msg.Type = switchboard.TypeButton
			c.Interactive = &switchboard.Interactive{Kind: "button", ID: b.Payload, Title: b.Text}
			c.Text = b.Text
		}
	case whatsapp.MessageTypeReaction:
		if r := m.Reaction; r != nil {
			msg.Type = switchboard.TypeReaction
			c.Reaction = &switchboard.Reaction{Emoji: r.Emoji}
			in.ReactionToWAID = r.MessageID
		}
	case whatsapp.MessageTypeOrder:
		if m.Order != nil {
			msg.Type = switchboard.TypeOrder
			c.Text = m.Order.Text
			c.Raw = append(json.RawMessage(nil), m.Raw...)
		}
	case whatsapp.MessageTypeSystem:
		if m.System != nil {
			msg.Type = switchboard.TypeSystem
			c.Text = m.System.Body
			c.Raw = append(json.RawMessage(nil), m.Raw...)
			switch m.System.Type {
			case whatsapp.SystemUserChangedNumber:
				in.NewWaID = firstNonEmpty(m.System.WaID, m.System.NewWaID)
				in.NewUserID = m.System.UserID
			case whatsapp.SystemUserChangedUserID:
				in.NewUserID = m.System.UserID
			}
		}
	}
	if msg.Type == switchboard.TypeUnsupported {
		c.Raw = append(json.RawMessage(nil), m.Raw...)
	}
	return in
}

// status converts a webhook status.
func status(channelID string, s *whatsapp.Status) (switchboard.StatusUpdate, bool) {
	var st switchboard.MessageStatus
	switch s.Status {
	case whatsapp.StatusSent:
		st = switchboard.MessageSent
	case whatsapp.StatusDelivered:
		st = switchboard.MessageDelivered
	case whatsapp.StatusRead, whatsapp.StatusPlayed:
		// "played" (a voice message was listened to) implies read.
		st = switchboard.MessageRead
	case whatsapp.StatusFailed:
		st = switchboard.MessageFailed
	default:
		return switchboard.StatusUpdate{}, false
	}
	ts, err := s.Time()
	if err != nil {
		ts = time.Now().UTC()
	}
	u := switchboard.StatusUpdate{
		ChannelID: channelID, WAMessageID: s.ID, Status: st, Timestamp: ts.UTC(),
	}
	if switchboard.ValidID(s.BizOpaqueCallbackData) {
		u.MessageID = s.BizOpaqueCallbackData
	}
	if st == switchboard.MessageFailed {
		u.Error = &switchboard.MessageError{Code: 0, Title: "Message failed"}
		if len(s.Errors) > 0 {
			e := s.Errors[0]
			u.Error = &switchboard.MessageError{Code: e.Code, Title: firstNonEmpty(e.Title, e.Message), Details: errorDetails(e)}
		}
	}
	return u, true
}

func errorDetails(e whatsapp.ErrorObject) string {
	if e.ErrorData != nil && e.ErrorData.Details != "" {
		return e.ErrorData.Details
	}
	return firstNonEmpty(e.Details, e.Message)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// OutboundInteractive is the Cloud API form of an interactive message the
// business sends.
func OutboundInteractive(in *switchboard.InteractiveSend) *whatsapp.OutboundInteractive {
	out := &whatsapp.OutboundInteractive{Type: in.Kind, Body: &whatsapp.InteractiveText{Text: in.Body}, Action: &whatsapp.InteractiveAction{}}
	if in.Header != "" {
		out.Header = &whatsapp.InteractiveHeader{Type: "text", Text: in.Header}
	}
	if in.Footer != "" {
		out.Footer = &whatsapp.InteractiveText{Text: in.Footer}
	}
	switch in.Kind {
	case switchboard.InteractiveButton:
		for _, b := range in.Buttons {
			out.Action.Buttons = append(out.Action.Buttons, whatsapp.InteractiveButton{Type: "reply", Reply: whatsapp.ReplyTitle{ID: b.ID, Title: b.Title}})
		}
	case switchboard.InteractiveList:
		out.Action.Button = in.ListButton
		for _, s := range in.Sections {
			sec := whatsapp.InteractiveSection{Title: s.Title}
			for _, r := range s.Rows {
				sec.Rows = append(sec.Rows, whatsapp.InteractiveRow{ID: r.ID, Title: r.Title, Description: r.Description})
			}
			out.Action.Sections = append(out.Action.Sections, sec)
		}
	case switchboard.InteractiveCTAURL:
		out.Action.Name = "cta_url"
		out.Action.Parameters = &whatsapp.CTAURLParameters{DisplayText: in.DisplayText, URL: in.URL}
	}
	return out
}
