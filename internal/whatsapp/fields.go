package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Webhook fields besides messages that Switchboard applies (issue 11). Each
// shares the callback URL; [ParseNotification] keeps their raw value and
// the methods below decode it. Field names and value shapes follow Meta's
// webhook references (developers.facebook.com/documentation/
// business-messaging/whatsapp/webhooks/reference/<field>); docs/whatsapp.md
// lists what was confirmed there and what is not.
const (
	FieldTemplateQuality    = "message_template_quality_update"
	FieldTemplateCategory   = "template_category_update"
	FieldUserPreferences    = "user_preferences"
	FieldAccountAlerts      = "account_alerts"
	FieldAccountUpdate      = "account_update"
	FieldBusinessCapability = "business_capability_update"
	FieldPhoneNumberQuality = "phone_number_quality_update"
	// FieldStandby carries a conversation's messages and statuses while
	// another sender (Meta Business Agent) handles it; its value has the
	// shape of a messages value.
	FieldStandby = "standby"
	// FieldMessagingHandovers reports that control of a conversation moved
	// between the agent and the app (Conversation Routing).
	FieldMessagingHandovers = "messaging_handovers"
)

// MaxFieldItems bounds the entries of a list inside one of these values
// (user_preferences); Meta sends one.
const MaxFieldItems = 100

// decodeField decodes the raw value of a change of the given field.
func decodeField(c Change, field string, v any) error {
	if c.Field != field {
		return fmt.Errorf("whatsapp: change of field %q is not %s", truncate(c.Field, 64), field)
	}
	if err := json.Unmarshal(c.RawValue, v); err != nil {
		return fmt.Errorf("decode %s: %w", field, err)
	}
	return nil
}

// TemplateQualityUpdate is the value of a message_template_quality_update
// change: the template's new quality score (GREEN, YELLOW, RED, UNKNOWN).
type TemplateQualityUpdate struct {
	PreviousQualityScore string      `json:"previous_quality_score,omitempty"`
	NewQualityScore      string      `json:"new_quality_score"`
	TemplateID           json.Number `json:"message_template_id,omitempty"`
	Name                 string      `json:"message_template_name"`
	Language             string      `json:"message_template_language"`
}

// TemplateQuality decodes a [FieldTemplateQuality] change.
func (c Change) TemplateQuality() (*TemplateQualityUpdate, error) {
	var u TemplateQualityUpdate
	if err := decodeField(c, FieldTemplateQuality, &u); err != nil {
		return nil, err
	}
	if u.Name == "" || u.Language == "" || u.NewQualityScore == "" {
		return nil, errors.New("whatsapp: template quality update without name, language or new_quality_score")
	}
	return &u, nil
}

// TemplateCategoryUpdate is the value of a template_category_update change.
// A completed change names PreviousCategory and NewCategory; an impending
// one (Meta recategorises in 24 hours) names CorrectCategory, the category
// to come, with NewCategory the current one and CategoryUpdateTimestamp
// when it will change.
type TemplateCategoryUpdate struct {
	TemplateID              json.Number `json:"message_template_id,omitempty"`
	Name                    string      `json:"message_template_name"`
	Language                string      `json:"message_template_language"`
	PreviousCategory        string      `json:"previous_category,omitempty"`
	NewCategory             string      `json:"new_category"`
	CorrectCategory         string      `json:"correct_category,omitempty"`
	CategoryUpdateTimestamp json.Number `json:"category_update_timestamp,omitempty"`
}

// Impending reports whether the update announces a change still to come.
func (u *TemplateCategoryUpdate) Impending() bool { return u.CorrectCategory != "" }

// TemplateCategory decodes a [FieldTemplateCategory] change.
func (c Change) TemplateCategory() (*TemplateCategoryUpdate, error) {
	var u TemplateCategoryUpdate
	if err := decodeField(c, FieldTemplateCategory, &u); err != nil {
		return nil, err
	}
	if u.Name == "" || u.Language == "" || u.NewCategory == "" {
		return nil, errors.New("whatsapp: template category update without name, language or new_category")
	}
	return &u, nil
}

// UserPreferencesValue is the value of a user_preferences change: a
// customer stopped or resumed marketing messages.
type UserPreferencesValue struct {
	MessagingProduct string           `json:"messaging_product"`
	Metadata         Metadata         `json:"metadata"`
	Contacts         []Contact        `json:"contacts,omitempty"`
	UserPreferences  []UserPreference `json:"user_preferences"`
}

// UserPreference is one preference change. Value is "stop" or "resume";
// Category is "marketing_messages". UserID (the BSUID) is not in Meta's
// reference yet and is read in case it is sent, as in other 2026 values.
type UserPreference struct {
	WaID      string      `json:"wa_id,omitempty"`
	UserID    string      `json:"user_id,omitempty"`
	Detail    string      `json:"detail,omitempty"`
	Category  string      `json:"category"`
	Value     string      `json:"value"`
	Timestamp json.Number `json:"timestamp,omitempty"`
}

// Preference values and the one category Meta documents.
const (
	PreferenceStop              = "stop"
	PreferenceResume            = "resume"
	PreferenceMarketingMessages = "marketing_messages"
)

// Time returns the preference's timestamp (unix seconds, a JSON number).
func (p UserPreference) Time() (time.Time, error) { return parseUnix(p.Timestamp.String()) }

// UserPreferences decodes a [FieldUserPreferences] change.
func (c Change) UserPreferences() (*UserPreferencesValue, error) {
	var v UserPreferencesValue
	if err := decodeField(c, FieldUserPreferences, &v); err != nil {
		return nil, err
	}
	if len(v.UserPreferences) > MaxFieldItems {
		return nil, fmt.Errorf("whatsapp: user_preferences: %w (limit %d)", ErrTooManyItems, MaxFieldItems)
	}
	return &v, nil
}

// AccountAlert is the value of an account_alerts change: an alert about
// the business portfolio or a phone number (messaging limit decisions,
// Official Business Account status, a deleted profile photo).
type AccountAlert struct {
	EntityType string `json:"entity_type"` // BUSINESS, PHONE_NUMBER, …
	EntityID   string `json:"entity_id"`
	AlertInfo  struct {
		Severity    string `json:"alert_severity"` // CRITICAL, WARNING, INFORMATIONAL
		Status      string `json:"alert_status"`   // ACTIVE, NONE
		Type        string `json:"alert_type"`
		Description string `json:"alert_description"`
	} `json:"alert_info"`
}

// AccountAlert decodes a [FieldAccountAlerts] change.
func (c Change) AccountAlert() (*AccountAlert, error) {
	var v AccountAlert
	if err := decodeField(c, FieldAccountAlerts, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// AccountUpdate is the value of an account_update change: verification,
// policy violations, restrictions, bans, offboarding, deletion. Only the
// parts a channel's health needs are modelled.
type AccountUpdate struct {
	PhoneNumber   string `json:"phone_number,omitempty"`
	Event         string `json:"event"`
	ViolationInfo *struct {
		ViolationType string `json:"violation_type"`
	} `json:"violation_info,omitempty"`
	BanInfo *struct {
		State string `json:"waba_ban_state"`
		Date  string `json:"waba_ban_date"`
	} `json:"ban_info,omitempty"`
	RestrictionInfo []struct {
		Type       string `json:"restriction_type"`
		Expiration any    `json:"expiration"`
	} `json:"restriction_info,omitempty"`
}

// AccountUpdate decodes a [FieldAccountUpdate] change.
func (c Change) AccountUpdate() (*AccountUpdate, error) {
	var v AccountUpdate
	if err := decodeField(c, FieldAccountUpdate, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// BusinessCapability is the value of a business_capability_update change:
// the portfolio's limits (-1 is unlimited).
type BusinessCapability struct {
	MaxDailyConversationPerPhone     *int64 `json:"max_daily_conversation_per_phone,omitempty"`
	MaxDailyConversationsPerBusiness *int64 `json:"max_daily_conversations_per_business,omitempty"`
	MaxPhoneNumbersPerBusiness       *int64 `json:"max_phone_numbers_per_business,omitempty"`
	MaxPhoneNumbersPerWABA           *int64 `json:"max_phone_numbers_per_waba,omitempty"`
}

// BusinessCapability decodes a [FieldBusinessCapability] change.
func (c Change) BusinessCapability() (*BusinessCapability, error) {
	var v BusinessCapability
	if err := decodeField(c, FieldBusinessCapability, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// PhoneNumberQuality is the value of a phone_number_quality_update change:
// a number's throughput or messaging limit changed (event UPGRADE,
// DOWNGRADE, FLAGGED, UNFLAGGED, THROUGHPUT_UPGRADE, …).
type PhoneNumberQuality struct {
	DisplayPhoneNumber               string `json:"display_phone_number"`
	Event                            string `json:"event"`
	OldLimit                         string `json:"old_limit,omitempty"`
	CurrentLimit                     string `json:"current_limit,omitempty"`
	MaxDailyConversationsPerBusiness any    `json:"max_daily_conversations_per_business,omitempty"`
}

// PhoneNumberQuality decodes a [FieldPhoneNumberQuality] change.
func (c Change) PhoneNumberQuality() (*PhoneNumberQuality, error) {
	var v PhoneNumberQuality
	if err := decodeField(c, FieldPhoneNumberQuality, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// StandbyValue is what Switchboard reads of a standby or messaging_handovers
// value: the business number it concerns and the customers it names, so
// that the raw value can be filed with their conversations.
type StandbyValue struct {
	MessagingProduct string    `json:"messaging_product"`
	Metadata         Metadata  `json:"metadata"`
	Contacts         []Contact `json:"contacts,omitempty"`
	Messages         []struct {
		From       string `json:"from,omitempty"`
		FromUserID string `json:"from_user_id,omitempty"`
	} `json:"messages,omitempty"`
	Statuses []struct {
		RecipientID     string `json:"recipient_id,omitempty"`
		RecipientUserID string `json:"recipient_user_id,omitempty"`
	} `json:"statuses,omitempty"`
	// Handover notifications (messaging_handovers) name the customer and
	// the kind of change; the shape is Meta's 2026 Conversation Routing
	// reference and not confirmed beyond it.
	Type      string `json:"type,omitempty"` // control_passed, control_taken
	Recipient *struct {
		WaID   string `json:"wa_id,omitempty"`
		UserID string `json:"user_id,omitempty"`
	} `json:"recipient,omitempty"`
}

// Standby decodes a [FieldStandby] or [FieldMessagingHandovers] change.
func (c Change) Standby() (*StandbyValue, error) {
	if c.Field != FieldStandby && c.Field != FieldMessagingHandovers {
		return nil, fmt.Errorf("whatsapp: change of field %q is not standby or messaging_handovers", truncate(c.Field, 64))
	}
	var v StandbyValue
	if err := json.Unmarshal(c.RawValue, &v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", c.Field, err)
	}
	return &v, nil
}

// Customers returns the customers a standby or handover value names, as
// (phone number, BSUID) pairs, each once.
func (v *StandbyValue) Customers() [][2]string {
	var out [][2]string
	seen := map[[2]string]bool{}
	add := func(wa, uid string) {
		k := [2]string{wa, uid}
		if (wa != "" || uid != "") && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, m := range v.Messages {
		add(m.From, m.FromUserID)
	}
	for _, s := range v.Statuses {
		add(s.RecipientID, s.RecipientUserID)
	}
	if v.Recipient != nil {
		add(v.Recipient.WaID, v.Recipient.UserID)
	}
	if len(out) == 0 {
		for _, c := range v.Contacts {
			add(c.WaID, c.UserID)
		}
	}
	return out
}

// SameNumber reports whether two phone numbers are the same once
// everything but digits is dropped ("+1 555-0100" and "15550100").
func SameNumber(a, b string) bool {
	digits := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	da := digits(a)
	return da != "" && da == digits(b)
}
