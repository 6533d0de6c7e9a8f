package worker

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// This file turns the webhook fields beyond messages into what the service
// applies (issue 11): template quality and category changes, customers'
// marketing preferences, channel notices and conversation signals.

// surface handles one change of a field other than messages and template
// status; it reports whether it knew the field.
func (w *Ingest) surface(q *queued, entry, change int, wabaID string, c whatsapp.Change, channels map[string]string, b *switchboard.InboundBatch, reasons *[]string) bool {
	switch c.Field {
	case whatsapp.FieldTemplateQuality:
		u, err := c.TemplateQuality()
		if err != nil {
			*reasons = append(*reasons, "template quality update: "+err.Error())
			return true
		}
		for _, id := range w.wabaChannels(q, wabaID) {
			b.Templates = append(b.Templates, switchboard.TemplateStatusChange{ChannelID: id, Name: u.Name, Language: u.Language,
				Quality: boundWord(strings.ToUpper(u.NewQualityScore))})
		}
		w.Logger.Info("template quality changed", "template", u.Name, "language", u.Language, "quality", u.NewQualityScore)
	case whatsapp.FieldTemplateCategory:
		u, err := c.TemplateCategory()
		if err != nil {
			*reasons = append(*reasons, "template category update: "+err.Error())
			return true
		}
		if u.Impending() {
			// The category changes in 24 hours and Meta sends the
			// completed change then; until then new_category is current.
			w.Logger.Info("template category to change", "template", u.Name, "language", u.Language, "to", u.CorrectCategory)
			return true
		}
		for _, id := range w.wabaChannels(q, wabaID) {
			b.Templates = append(b.Templates, switchboard.TemplateStatusChange{ChannelID: id, Name: u.Name, Language: u.Language,
				Category: boundWord(strings.ToUpper(u.NewCategory))})
		}
		w.Logger.Info("template category changed", "template", u.Name, "language", u.Language, "category", u.NewCategory)
	case whatsapp.FieldUserPreferences:
		v, err := c.UserPreferences()
		if err != nil {
			*reasons = append(*reasons, "user preferences: "+err.Error())
			return true
		}
		chID, ok := channels[v.Metadata.PhoneNumberID]
		if !ok {
			*reasons = append(*reasons, "user preferences for an unknown phone number id")
			return true
		}
		for _, p := range v.UserPreferences {
			if p.Category != whatsapp.PreferenceMarketingMessages || (p.Value != whatsapp.PreferenceStop && p.Value != whatsapp.PreferenceResume) {
				continue // Meta documents no other; a new one is not guessed at
			}
			at, err := p.Time()
			if err != nil {
				at = q.ev.ReceivedAt
			}
			waID, userID := p.WaID, p.UserID
			if waID == "" && userID == "" {
				continue
			}
			if userID == "" {
				for _, ct := range v.Contacts {
					if ct.WaID == waID {
						userID = ct.UserID
					}
				}
			}
			b.Preferences = append(b.Preferences, switchboard.PreferenceChange{ChannelID: chID, WaID: waID, UserID: userID,
				Stopped: p.Value == whatsapp.PreferenceStop, At: at.UTC()})
		}
	case whatsapp.FieldAccountAlerts, whatsapp.FieldAccountUpdate, whatsapp.FieldBusinessCapability, whatsapp.FieldPhoneNumberQuality:
		n, target, err := notice(c)
		if err != nil {
			*reasons = append(*reasons, c.Field+": "+err.Error())
			return true
		}
		for _, id := range w.noticeChannels(q, wabaID, target) {
			n := n
			n.ChannelID, n.At = id, q.ev.ReceivedAt
			n.ID = noticeID(q.ev.ID, entry, change, id)
			b.Notices = append(b.Notices, n)
		}
	case whatsapp.FieldStandby, whatsapp.FieldMessagingHandovers:
		v, err := c.Standby()
		if err != nil {
			*reasons = append(*reasons, c.Field+": "+err.Error())
			return true
		}
		chID, ok := channels[v.Metadata.PhoneNumberID]
		if !ok {
			*reasons = append(*reasons, c.Field+" for an unknown phone number id")
			return true
		}
		for _, who := range v.Customers() {
			b.Signals = append(b.Signals, switchboard.SignalFor{ChannelID: chID, WaID: who[0], UserID: who[1], Field: c.Field,
				Raw: append([]byte(nil), c.RawValue...), At: q.ev.ReceivedAt})
		}
	default:
		return false
	}
	return true
}

// noticeTarget names the number a notice is about, if it names one.
type noticeTarget struct{ phoneNumberID, displayNumber string }

// notice builds a channel notice from an account-level change.
func notice(c whatsapp.Change) (switchboard.ChannelNotice, noticeTarget, error) {
	n := switchboard.ChannelNotice{Field: c.Field, Severity: switchboard.NoticeInformational}
	var t noticeTarget
	switch c.Field {
	case whatsapp.FieldAccountAlerts:
		a, err := c.AccountAlert()
		if err != nil {
			return n, t, err
		}
		n.Kind, n.Summary = a.AlertInfo.Type, a.AlertInfo.Description
		switch sev := strings.ToUpper(a.AlertInfo.Severity); sev {
		case switchboard.NoticeCritical, switchboard.NoticeWarning:
			n.Severity = sev
		}
		if strings.EqualFold(a.EntityType, "PHONE_NUMBER") {
			t.phoneNumberID = a.EntityID
		}
	case whatsapp.FieldAccountUpdate:
		u, err := c.AccountUpdate()
		if err != nil {
			return n, t, err
		}
		n.Kind = u.Event
		var parts []string
		if u.ViolationInfo != nil && u.ViolationInfo.ViolationType != "" {
			parts = append(parts, "violation: "+u.ViolationInfo.ViolationType)
		}
		if u.BanInfo != nil && u.BanInfo.State != "" {
			parts = append(parts, "ban: "+u.BanInfo.State)
		}
		for _, r := range u.RestrictionInfo {
			parts = append(parts, "restriction: "+r.Type)
		}
		n.Summary = strings.Join(parts, "; ")
		switch strings.ToUpper(u.Event) {
		case "DISABLED_UPDATE", "ACCOUNT_VIOLATION", "ACCOUNT_RESTRICTION", "ACCOUNT_DELETED", "ACCOUNT_OFFBOARDED":
			n.Severity = switchboard.NoticeCritical
		case "":
		default:
			if len(parts) > 0 {
				n.Severity = switchboard.NoticeWarning
			}
		}
		t.displayNumber = u.PhoneNumber
	case whatsapp.FieldBusinessCapability:
		u, err := c.BusinessCapability()
		if err != nil {
			return n, t, err
		}
		n.Kind = "CAPABILITY_UPDATE"
		limit := u.MaxDailyConversationsPerBusiness
		if limit == nil {
			limit = u.MaxDailyConversationPerPhone
		}
		if limit != nil {
			if *limit < 0 {
				n.Summary = "messaging limit: unlimited"
			} else {
				n.Summary = fmt.Sprintf("messaging limit: %d", *limit)
			}
		}
		if u.MaxPhoneNumbersPerBusiness != nil {
			n.Summary = strings.TrimPrefix(n.Summary+fmt.Sprintf("; phone numbers per portfolio: %d", *u.MaxPhoneNumbersPerBusiness), "; ")
		}
	case whatsapp.FieldPhoneNumberQuality:
		u, err := c.PhoneNumberQuality()
		if err != nil {
			return n, t, err
		}
		n.Kind = u.Event
		switch {
		case u.OldLimit != "" && u.CurrentLimit != "":
			n.Summary = u.OldLimit + " → " + u.CurrentLimit
		case u.CurrentLimit != "":
			n.Summary = u.CurrentLimit
		}
		switch strings.ToUpper(u.Event) {
		case "FLAGGED", "DOWNGRADE":
			n.Severity = switchboard.NoticeWarning
		}
		t.displayNumber = u.DisplayPhoneNumber
	}
	n.Kind = boundText(strings.ToUpper(n.Kind), 128)
	n.Summary = boundText(n.Summary, switchboard.MaxNoticeText)
	if n.Kind == "" {
		n.Kind = "UNKNOWN"
	}
	return n, t, nil
}

// noticeChannels picks the channels a notice concerns: the one number it
// names, else every channel of the business account.
func (w *Ingest) noticeChannels(q *queued, wabaID string, t noticeTarget) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.phoneNumberID != "" {
		if id, ok := w.byPhone[t.phoneNumberID]; ok {
			return []string{id}
		}
	}
	if t.displayNumber != "" {
		for _, ch := range w.chans {
			if whatsapp.SameNumber(ch.DisplayPhoneNumber, t.displayNumber) {
				return []string{ch.ID}
			}
		}
	}
	if ids := w.byWABA[wabaID]; len(ids) > 0 {
		return ids
	}
	return []string{q.ev.ChannelID}
}

// wabaChannels returns the channels of a business account (the channel the
// event was accepted for when none names it).
func (w *Ingest) wabaChannels(q *queued, wabaID string) []string {
	w.mu.Lock()
	ids := w.byWABA[wabaID]
	w.mu.Unlock()
	if len(ids) == 0 {
		return []string{q.ev.ChannelID}
	}
	return ids
}

// noticeID is stable for one change of one event, so that a replay does
// not store a notice twice.
func noticeID(event int64, entry, change int, channelID string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d/%d/%s", event, entry, change, channelID))
	return "ntc_" + hex.EncodeToString(sum[:12])
}

// boundText cuts s to n bytes at a rune boundary.
func boundText(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
