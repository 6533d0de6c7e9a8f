package worker

import (
	"encoding/json"
	"slices"
	"strings"
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
				c.Form = formReply(i.NFMReply)
				c.Raw = append(json.RawMessage(nil), m.Raw...)
			case i.CallPermissionReply != nil:
				// accept or reject, by the customer (user_action) or
				// automatically; shown as a system-style line.
				r := i.CallPermissionReply
				it.ID, it.Description = bound(r.Response, 32), bound(r.ResponseSource, 32)
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
			c.Order = order(m.Order)
		}
	case whatsapp.MessageTypeRequestWelcome:
		msg.Type = switchboard.TypeRequestWelcome
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
	if p := s.Pricing; p != nil {
		u.Pricing = (&switchboard.MessagePricing{Billable: p.Billable, PricingModel: p.PricingModel, Category: p.Category, Type: p.Type}).Bounded()
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

// order converts a catalog order, bounded.
func order(o *whatsapp.Order) *switchboard.Order {
	out := &switchboard.Order{CatalogID: bound(o.CatalogID, switchboard.MaxOrderString), Items: []switchboard.OrderItem{}}
	for i, it := range o.ProductItems {
		if i == switchboard.MaxOrderItems {
			break
		}
		out.Items = append(out.Items, switchboard.OrderItem{ProductRetailerID: bound(it.ProductRetailerID, switchboard.MaxOrderString),
			Quantity: it.Quantity, ItemPrice: it.ItemPrice, Currency: bound(it.Currency, switchboard.MaxOrderString)})
	}
	return out
}

// formReply reads the answers of a completed Flow from response_json (a
// JSON object encoded as a string). The flow_token is Meta's and the
// business's bookkeeping, not an answer, and is left out; the raw message
// keeps it. A response that is not a JSON object gives no fields.
func formReply(r *whatsapp.NFMReply) *switchboard.FormReply {
	f := &switchboard.FormReply{Name: bound(r.Name, switchboard.MaxFormName), Body: bound(r.Body, switchboard.MaxFormValue), Fields: []switchboard.FormField{}}
	var answers map[string]json.RawMessage
	if json.Unmarshal([]byte(r.ResponseJSON), &answers) != nil {
		return f
	}
	names := make([]string, 0, len(answers))
	for k := range answers {
		if k != "flow_token" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		if len(f.Fields) == switchboard.MaxFormFields {
			break
		}
		v := string(answers[k])
		var s string
		if json.Unmarshal(answers[k], &s) == nil {
			v = s
		}
		f.Fields = append(f.Fields, switchboard.FormField{Name: bound(k, switchboard.MaxFormName), Value: bound(v, switchboard.MaxFormValue)})
	}
	return f
}

// bound cuts s to n bytes at a rune boundary.
func bound(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
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
