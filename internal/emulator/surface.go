package emulator

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// This file sends the webhook fields beyond messages the way Meta does
// (issue 11): template quality and category changes, customers' marketing
// preferences, account alerts and updates, capability and number quality
// changes, and the standby and messaging_handovers fields of Meta Business
// Agent. Each is one notification with one change, signed like the others.

// fieldWebhookLocked queues one notification of entry wabaID with one
// change of field.
func (e *Emulator) fieldWebhookLocked(wabaID, field string, value any) {
	now := e.now()
	body := metaJSON(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": wabaID, "time": now.Unix(), "changes": []any{map[string]any{"value": value, "field": field}},
	}}})
	e.seq++
	e.deliveries = append(e.deliveries, &delivery{id: e.seq, body: body, items: 1, first: now, nextAt: now})
	e.poke()
}

// eachWABALocked calls fn once for every business account of the emulator.
func (e *Emulator) eachWABALocked(fn func(wabaID string)) {
	seen := map[string]bool{}
	for _, n := range e.cfg.PhoneNumbers {
		if !seen[n.WABAID] {
			seen[n.WABAID] = true
			fn(n.WABAID)
		}
	}
}

func (e *Emulator) templateLocked(name, language string) *Template {
	for i := range e.templates {
		if e.templates[i].Name == name && e.templates[i].Language == language {
			return &e.templates[i]
		}
	}
	return nil
}

// SetTemplateQuality changes a template's quality score (GREEN, YELLOW,
// RED, UNKNOWN) and sends message_template_quality_update.
func (e *Emulator) SetTemplateQuality(ctx context.Context, name, language, score string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	score = strings.ToUpper(score)
	switch score {
	case "GREEN", "YELLOW", "RED", "UNKNOWN":
	default:
		return fmt.Errorf("emulator: unknown quality score %q", score)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.templateLocked(name, language)
	if t == nil {
		return fmt.Errorf("emulator: unknown template %s (%s)", name, language)
	}
	prev := "UNKNOWN"
	if t.QualityScore != nil {
		prev = t.QualityScore.Score
	}
	t.QualityScore = &TemplateQuality{Score: score, Date: e.now().Unix()}
	id, _ := strconv.ParseInt(t.ID, 10, 64)
	value := map[string]any{"previous_quality_score": prev, "new_quality_score": score, "message_template_id": id,
		"message_template_name": name, "message_template_language": language}
	e.eachWABALocked(func(w string) { e.fieldWebhookLocked(w, "message_template_quality_update", value) })
	return nil
}

// SetTemplateCategory recategorises a template and sends
// template_category_update: the completed change (previous_category,
// new_category), or with impending set the notice 24 hours before
// (correct_category, new_category the current one,
// category_update_timestamp), which leaves the category as it is.
func (e *Emulator) SetTemplateCategory(ctx context.Context, name, language, category string, impending bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	category = strings.ToUpper(category)
	switch category {
	case "MARKETING", "UTILITY", "AUTHENTICATION":
	default:
		return fmt.Errorf("emulator: unknown category %q", category)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.templateLocked(name, language)
	if t == nil {
		return fmt.Errorf("emulator: unknown template %s (%s)", name, language)
	}
	id, _ := strconv.ParseInt(t.ID, 10, 64)
	value := map[string]any{"message_template_id": id, "message_template_name": name, "message_template_language": language}
	if impending {
		value["correct_category"], value["new_category"] = category, t.Category
		value["category_update_timestamp"] = e.now().Add(24 * 3600e9).Unix()
	} else {
		value["previous_category"], value["new_category"] = t.Category, category
		t.Category = category
	}
	e.eachWABALocked(func(w string) { e.fieldWebhookLocked(w, "template_category_update", value) })
	return nil
}

// SetMarketingPreference makes a known customer stop (or resume)
// marketing messages from the business number they last wrote to, and
// sends user_preferences.
func (e *Emulator) SetMarketingPreference(ctx context.Context, waID string, stop bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	waID = digitsOnly(waID)
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.customers[waID]
	if c == nil {
		return fmt.Errorf("emulator: unknown customer %q", waID)
	}
	pnid := c.pnid
	if pnid == "" {
		pnid = e.cfg.PhoneNumbers[0].PhoneNumberID
	}
	num := e.numbers[pnid]
	value, detail := "resume", "User requested to resume marketing messages"
	if stop {
		value, detail = "stop", "User requested to stop marketing messages"
	}
	pref := map[string]any{"wa_id": waID, "detail": detail, "category": "marketing_messages", "value": value, "timestamp": e.now().Unix()}
	contact := c.webhookContact()
	if c.usernameOnly {
		// Named by BSUID only, as in messages (not in Meta's reference yet).
		delete(pref, "wa_id")
		pref["user_id"] = c.userID
	}
	e.fieldWebhookLocked(num.WABAID, "user_preferences", map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          whMetadata{DisplayPhoneNumber: num.DisplayPhoneNumber, PhoneNumberID: num.PhoneNumberID},
		"contacts":          []any{contact},
		"user_preferences":  []any{pref},
	})
	return nil
}

// AccountAlert is an account_alerts notification to send.
type AccountAlert struct {
	// EntityType is BUSINESS (default) or PHONE_NUMBER; for a phone
	// number EntityID defaults to the first number's id.
	EntityType  string `json:"entity_type,omitempty"`
	EntityID    string `json:"entity_id,omitempty"`
	Severity    string `json:"alert_severity,omitempty"` // default WARNING
	Status      string `json:"alert_status,omitempty"`   // default ACTIVE
	Type        string `json:"alert_type"`
	Description string `json:"alert_description,omitempty"`
}

// SendAccountAlert sends account_alerts to every business account.
func (e *Emulator) SendAccountAlert(ctx context.Context, a AccountAlert) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.Type == "" {
		return fmt.Errorf("emulator: account alert needs alert_type")
	}
	if a.EntityType == "" {
		a.EntityType = "BUSINESS"
	}
	if a.Severity == "" {
		a.Severity = "WARNING"
	}
	if a.Status == "" {
		a.Status = "ACTIVE"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if a.EntityID == "" {
		a.EntityID = "1000000000" // the business portfolio
		if a.EntityType == "PHONE_NUMBER" {
			a.EntityID = e.cfg.PhoneNumbers[0].PhoneNumberID
		}
	}
	value := map[string]any{"entity_type": a.EntityType, "entity_id": a.EntityID, "alert_info": map[string]any{
		"alert_severity": a.Severity, "alert_status": a.Status, "alert_type": a.Type, "alert_description": a.Description}}
	e.eachWABALocked(func(w string) { e.fieldWebhookLocked(w, "account_alerts", value) })
	return nil
}

// SendPhoneNumberQuality sends phone_number_quality_update for a number
// (the first when pnid is empty): event UPGRADE, DOWNGRADE, FLAGGED,
// UNFLAGGED, THROUGHPUT_UPGRADE, …
func (e *Emulator) SendPhoneNumberQuality(ctx context.Context, pnid, event, currentLimit string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if event == "" {
		return fmt.Errorf("emulator: phone number quality update needs an event")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if pnid == "" {
		pnid = e.cfg.PhoneNumbers[0].PhoneNumberID
	}
	num, ok := e.numbers[pnid]
	if !ok {
		return fmt.Errorf("emulator: unknown phone number id %q", pnid)
	}
	if currentLimit == "" {
		currentLimit = "TIER_1K"
	}
	value := map[string]any{"display_phone_number": num.DisplayPhoneNumber, "event": strings.ToUpper(event),
		"current_limit": currentLimit, "max_daily_conversations_per_business": "1K"}
	e.fieldWebhookLocked(num.WABAID, "phone_number_quality_update", value)
	return nil
}

// SendAccountUpdate sends account_update with an event such as
// ACCOUNT_VIOLATION, ACCOUNT_RESTRICTION, DISABLED_UPDATE or
// VERIFIED_ACCOUNT to every business account.
func (e *Emulator) SendAccountUpdate(ctx context.Context, event, violationType string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if event == "" {
		return fmt.Errorf("emulator: account update needs an event")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	value := map[string]any{"phone_number": e.cfg.PhoneNumbers[0].DisplayPhoneNumber, "event": strings.ToUpper(event)}
	if violationType != "" {
		value["violation_info"] = map[string]any{"violation_type": violationType}
	}
	e.eachWABALocked(func(w string) { e.fieldWebhookLocked(w, "account_update", value) })
	return nil
}

// SendBusinessCapability sends business_capability_update with the
// portfolio's daily messaging limit (-1 unlimited).
func (e *Emulator) SendBusinessCapability(ctx context.Context, maxDaily int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	value := map[string]any{"max_daily_conversations_per_business": maxDaily, "max_phone_numbers_per_business": 2, "max_phone_numbers_per_waba": 2}
	e.eachWABALocked(func(w string) { e.fieldWebhookLocked(w, "business_capability_update", value) })
	return nil
}

// SendStandby sends what Meta Business Agent handles for a customer while
// the app is the passive listener: a standby change with the customer's
// text, in the shape of a messages value.
func (e *Emulator) SendStandby(ctx context.Context, waID, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	waID = digitsOnly(waID)
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.customers[waID]
	if c == nil {
		return fmt.Errorf("emulator: unknown customer %q", waID)
	}
	num := e.numbers[c.pnid]
	if num.PhoneNumberID == "" {
		num = e.cfg.PhoneNumbers[0]
	}
	now := e.now()
	msg := &whMessage{From: waID, FromUserID: c.userID, ID: e.wamidLocked(waID), Timestamp: unixString(now), Type: "text", Text: &whText{Body: text}}
	if c.usernameOnly {
		msg.From = ""
	}
	e.fieldWebhookLocked(num.WABAID, "standby", whValue{MessagingProduct: "whatsapp",
		Metadata: whMetadata{DisplayPhoneNumber: num.DisplayPhoneNumber, PhoneNumberID: num.PhoneNumberID},
		Contacts: []*whContact{c.webhookContact()}, Messages: []*whMessage{msg}})
	return nil
}

// SendHandover sends messaging_handovers: control of the customer's
// conversation passed (control_passed) to the app, or taken
// (control_taken) from it.
func (e *Emulator) SendHandover(ctx context.Context, waID, kind string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if kind != "control_passed" && kind != "control_taken" {
		return fmt.Errorf("emulator: handover kind must be control_passed or control_taken")
	}
	waID = digitsOnly(waID)
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.customers[waID]
	if c == nil {
		return fmt.Errorf("emulator: unknown customer %q", waID)
	}
	num := e.numbers[c.pnid]
	if num.PhoneNumberID == "" {
		num = e.cfg.PhoneNumbers[0]
	}
	recipient := map[string]any{"wa_id": waID, "user_id": c.userID}
	if c.usernameOnly {
		delete(recipient, "wa_id")
	}
	e.fieldWebhookLocked(num.WABAID, "messaging_handovers", map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          whMetadata{DisplayPhoneNumber: num.DisplayPhoneNumber, PhoneNumberID: num.PhoneNumberID},
		"type":              kind,
		"recipient":         recipient,
		"timestamp":         e.now().Unix(),
		kind:                map[string]any{"previous_owner": map[bool]string{true: "meta_business_agent", false: "app"}[kind == "control_passed"]},
	})
	return nil
}

// registerSurfaceControl adds the control API calls that trigger these
// webhooks.
func (e *Emulator) registerSurfaceControl(mux *http.ServeMux, p string) {
	handle := func(path string, limit int64, v func() any, run func(r *http.Request, v any) error) {
		mux.HandleFunc("POST "+p+path, func(w http.ResponseWriter, r *http.Request) {
			in := v()
			if !readControl(w, r, in, limit) {
				return
			}
			if err := run(r, in); err != nil {
				controlError(w, err.Error())
				return
			}
			writeControl(w, http.StatusOK, map[string]bool{"success": true})
		})
	}
	type tplIn struct {
		Name      string `json:"name"`
		Language  string `json:"language"`
		Score     string `json:"score,omitempty"`
		Category  string `json:"category,omitempty"`
		Impending bool   `json:"impending,omitempty"`
	}
	handle("templates/quality", 1<<10, func() any { return &tplIn{} }, func(r *http.Request, v any) error {
		in := v.(*tplIn)
		return e.SetTemplateQuality(r.Context(), in.Name, in.Language, in.Score)
	})
	handle("templates/category", 1<<10, func() any { return &tplIn{} }, func(r *http.Request, v any) error {
		in := v.(*tplIn)
		return e.SetTemplateCategory(r.Context(), in.Name, in.Language, in.Category, in.Impending)
	})
	type prefIn struct {
		WaID string `json:"wa_id"`
		Stop bool   `json:"stop"`
	}
	handle("customers/preferences", 1<<10, func() any { return &prefIn{} }, func(r *http.Request, v any) error {
		in := v.(*prefIn)
		return e.SetMarketingPreference(r.Context(), in.WaID, in.Stop)
	})
	handle("account/alerts", 4<<10, func() any { return &AccountAlert{} }, func(r *http.Request, v any) error {
		return e.SendAccountAlert(r.Context(), *v.(*AccountAlert))
	})
	type qualityIn struct {
		PhoneNumberID string `json:"phone_number_id,omitempty"`
		Event         string `json:"event"`
		CurrentLimit  string `json:"current_limit,omitempty"`
	}
	handle("numbers/quality", 1<<10, func() any { return &qualityIn{} }, func(r *http.Request, v any) error {
		in := v.(*qualityIn)
		return e.SendPhoneNumberQuality(r.Context(), in.PhoneNumberID, in.Event, in.CurrentLimit)
	})
	type updateIn struct {
		Event         string `json:"event"`
		ViolationType string `json:"violation_type,omitempty"`
	}
	handle("account/update", 1<<10, func() any { return &updateIn{} }, func(r *http.Request, v any) error {
		in := v.(*updateIn)
		return e.SendAccountUpdate(r.Context(), in.Event, in.ViolationType)
	})
	type capIn struct {
		MaxDaily int64 `json:"max_daily_conversations_per_business"`
	}
	handle("account/capability", 1<<10, func() any { return &capIn{} }, func(r *http.Request, v any) error {
		return e.SendBusinessCapability(r.Context(), v.(*capIn).MaxDaily)
	})
	type standbyIn struct {
		WaID string `json:"wa_id"`
		Text string `json:"text,omitempty"`
		Kind string `json:"handover,omitempty"`
	}
	handle("customers/standby", 4<<10, func() any { return &standbyIn{} }, func(r *http.Request, v any) error {
		in := v.(*standbyIn)
		if in.Kind != "" {
			return e.SendHandover(r.Context(), in.WaID, in.Kind)
		}
		return e.SendStandby(r.Context(), in.WaID, in.Text)
	})
}
