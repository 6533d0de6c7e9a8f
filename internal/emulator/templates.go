package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Template is a message template in the shape of Graph's
// GET /{waba-id}/message_templates (WhatsAppBusinessHSM).
type Template struct {
	// ID is the template id (assigned by AddTemplate when empty).
	ID string `json:"id"`
	// Name identifies the template together with Language.
	Name string `json:"name"`
	// Language is the locale code, e.g. "en_US" or "de"; sends must match exactly.
	Language string `json:"language"`
	// Status is APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ...; only APPROVED can be sent.
	Status string `json:"status"`
	// Category is MARKETING, UTILITY or AUTHENTICATION.
	Category string `json:"category"`
	// ParameterFormat is POSITIONAL ({{1}}) or NAMED ({{first_name}}).
	ParameterFormat string `json:"parameter_format,omitempty"`
	// Components are HEADER, BODY, FOOTER and BUTTONS.
	Components []TemplateComponent `json:"components"`
	// RejectedReason is set for REJECTED templates.
	RejectedReason string `json:"rejected_reason,omitempty"`
	// QualityScore is the template's quality (score GREEN, YELLOW, RED or
	// UNKNOWN), changed by SetTemplateQuality.
	QualityScore *TemplateQuality `json:"quality_score,omitempty"`
}

// TemplateQuality is a template's quality_score object.
type TemplateQuality struct {
	Score string `json:"score"`
	Date  int64  `json:"date,omitempty"`
}

// TemplateComponent is one HEADER, BODY, FOOTER or BUTTONS component.
type TemplateComponent struct {
	// Type is HEADER, BODY, FOOTER or BUTTONS.
	Type string `json:"type"`
	// Format is TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION for headers.
	Format string `json:"format,omitempty"`
	// Text may contain {{n}} or {{name}} placeholders.
	Text string `json:"text,omitempty"`
	// Buttons are the BUTTONS component's buttons.
	Buttons []TemplateButton `json:"buttons,omitempty"`
	// Example holds sample values, as Meta requires for placeholders.
	Example *TemplateExample `json:"example,omitempty"`
}

// TemplateButton is a QUICK_REPLY, URL or PHONE_NUMBER button.
type TemplateButton struct {
	// Type is QUICK_REPLY, URL or PHONE_NUMBER.
	Type string `json:"type"`
	// Text is the button label.
	Text string `json:"text"`
	// URL may end in a {{1}} placeholder that the send fills in.
	URL string `json:"url,omitempty"`
	// PhoneNumber is set for PHONE_NUMBER buttons.
	PhoneNumber string `json:"phone_number,omitempty"`
	// Example holds a sample URL for dynamic URL buttons.
	Example []string `json:"example,omitempty"`
}

// TemplateExample carries sample values for placeholders.
type TemplateExample struct {
	// HeaderText samples positional header placeholders.
	HeaderText []string `json:"header_text,omitempty"`
	// BodyText samples positional body placeholders.
	BodyText [][]string `json:"body_text,omitempty"`
	// HeaderHandle samples media headers.
	HeaderHandle []string `json:"header_handle,omitempty"`
	// HeaderTextNamedParams samples named header placeholders.
	HeaderTextNamedParams []NamedParam `json:"header_text_named_params,omitempty"`
	// BodyTextNamedParams samples named body placeholders.
	BodyTextNamedParams []NamedParam `json:"body_text_named_params,omitempty"`
}

// NamedParam is a sample for one named placeholder.
type NamedParam struct {
	// ParamName is the placeholder name without braces.
	ParamName string `json:"param_name"`
	// Example is the sample value.
	Example string `json:"example"`
}

// DefaultTemplates returns the emulator's stock templates: approved ones in
// English and German (one of them an authentication template), one
// REJECTED and one PAUSED.
func DefaultTemplates() []Template {
	return []Template{
		{
			ID: "1192339204654487", Name: "hello_world", Language: "en_US", Status: "APPROVED", Category: "UTILITY",
			ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "HEADER", Format: "TEXT", Text: "Hello World"},
				{Type: "BODY", Text: "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us."},
				{Type: "FOOTER", Text: "WhatsApp Business Platform sample message"},
			},
		},
		{
			ID: "1416075929371735", Name: "order_update", Language: "de", Status: "APPROVED", Category: "UTILITY",
			ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs.", Example: &TemplateExample{BodyText: [][]string{{"Anna", "#10493"}}}},
				{Type: "FOOTER", Text: "Antworten Sie STOP, um keine Nachrichten mehr zu erhalten."},
				{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "QUICK_REPLY", Text: "Danke"}, {Type: "QUICK_REPLY", Text: "Rückruf bitte"}}},
			},
		},
		{
			ID: "1016430383620862", Name: "order_update", Language: "en", Status: "APPROVED", Category: "UTILITY",
			ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "Hi {{1}}, your order {{2}} is on its way.", Example: &TemplateExample{BodyText: [][]string{{"Anna", "#10493"}}}},
				{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "URL", Text: "Track parcel", URL: "https://shop.example.com/track/{{1}}", Example: []string{"https://shop.example.com/track/10493"}}}},
			},
		},
		{
			ID: "1270937804339254", Name: "appointment_reminder", Language: "en", Status: "APPROVED", Category: "UTILITY",
			ParameterFormat: "NAMED",
			Components: []TemplateComponent{
				{Type: "HEADER", Format: "TEXT", Text: "Appointment reminder"},
				{Type: "BODY", Text: "Hi {{first_name}}, this is a reminder of your appointment on {{date}}. Reply to reschedule.",
					Example: &TemplateExample{BodyTextNamedParams: []NamedParam{{ParamName: "first_name", Example: "Tom"}, {ParamName: "date", Example: "12 May, 10:30"}}}},
			},
		},
		{
			ID: "1838451970320197", Name: "welcome_image", Language: "de", Status: "APPROVED", Category: "MARKETING",
			ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "HEADER", Format: "IMAGE", Example: &TemplateExample{HeaderHandle: []string{"https://scontent.whatsapp.net/v/sample.jpg"}}},
				{Type: "BODY", Text: "Willkommen! Schön, dass Sie da sind."},
			},
		},
		{
			// Authentication templates go to phone numbers only (131062 for
			// a business-scoped user id).
			ID: "1340298177361602", Name: "login_code", Language: "en", Status: "APPROVED", Category: "AUTHENTICATION",
			ParameterFormat: "POSITIONAL",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "{{1}} is your verification code.", Example: &TemplateExample{BodyText: [][]string{{"123456"}}}},
			},
		},
		{
			ID: "1587290538423321", Name: "summer_sale", Language: "de", Status: "REJECTED", Category: "MARKETING",
			ParameterFormat: "POSITIONAL", RejectedReason: "INVALID_FORMAT",
			Components: []TemplateComponent{{Type: "BODY", Text: "Sommerschlussverkauf: {{1}} % auf alles!", Example: &TemplateExample{BodyText: [][]string{{"30"}}}}},
		},
		{
			ID: "1023817594735501", Name: "winback_offer", Language: "en_US", Status: "PAUSED", Category: "MARKETING",
			ParameterFormat: "POSITIONAL",
			Components:      []TemplateComponent{{Type: "BODY", Text: "We miss you, {{1}}! Here is 10% off your next order.", Example: &TemplateExample{BodyText: [][]string{{"Sam"}}}}},
		},
	}
}

// AddTemplate adds or replaces (by name and language) a template.
func (e *Emulator) AddTemplate(t Template) error {
	if t.Name == "" || t.Language == "" {
		return errors.New("emulator: template needs name and language")
	}
	if t.Status == "" {
		t.Status = "APPROVED"
	}
	if t.Category == "" {
		t.Category = "UTILITY"
	}
	if t.ParameterFormat == "" {
		t.ParameterFormat = "POSITIONAL"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.ID == "" {
		t.ID = e.numericIDLocked(16)
	}
	for i, old := range e.templates {
		if old.Name == t.Name && old.Language == t.Language {
			e.templates[i] = t
			return nil
		}
	}
	e.templates = append(e.templates, t)
	return nil
}

// Templates returns the current template list.
func (e *Emulator) Templates() []Template {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Template(nil), e.templates...)
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// placeholders returns the distinct placeholder names in order of appearance.
func placeholders(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// handleTemplates serves GET /{v}/{waba-id}/message_templates with cursor paging.
func (e *Emulator) handleTemplates(w http.ResponseWriter, r *http.Request, wabaID string) {
	q := r.URL.Query()
	limit := 25
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			e.writeGraphError(w, invalidParam("Param limit must be a positive integer"))
			return
		}
		limit = min(n, 1000)
	}
	start := 0
	if c := q.Get("after"); c != "" {
		i, ok := decodeCursor(c)
		if !ok {
			e.writeGraphError(w, invalidParam("Invalid cursor"))
			return
		}
		start = i + 1
	} else if c := q.Get("before"); c != "" {
		i, ok := decodeCursor(c)
		if !ok {
			e.writeGraphError(w, invalidParam("Invalid cursor"))
			return
		}
		start = max(0, i-limit)
	}
	var fields []string
	if f := q.Get("fields"); f != "" {
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				fields = append(fields, name)
			}
		}
	}
	all := e.Templates()
	if s := q.Get("status"); s != "" {
		var filtered []Template
		for _, t := range all {
			if strings.EqualFold(t.Status, s) {
				filtered = append(filtered, t)
			}
		}
		all = filtered
	}
	if s := q.Get("name"); s != "" {
		var filtered []Template
		for _, t := range all {
			if strings.Contains(t.Name, s) {
				filtered = append(filtered, t)
			}
		}
		all = filtered
	}
	start = min(start, len(all))
	end := min(start+limit, len(all))
	page := all[start:end]

	data := make([]any, 0, len(page))
	for _, t := range page {
		data = append(data, projectFields(t, fields))
	}
	type cursors struct {
		Before string `json:"before"`
		After  string `json:"after"`
	}
	type paging struct {
		Cursors  cursors `json:"cursors"`
		Next     string  `json:"next,omitempty"`
		Previous string  `json:"previous,omitempty"`
	}
	resp := struct {
		Data   []any   `json:"data"`
		Paging *paging `json:"paging,omitempty"`
	}{Data: data}
	if len(page) > 0 {
		p := &paging{Cursors: cursors{Before: encodeCursor(start), After: encodeCursor(end - 1)}}
		base := e.base(r) + r.URL.Path
		if end < len(all) {
			nq := cloneQuery(q)
			nq.Del("before")
			nq.Set("after", p.Cursors.After)
			nq.Set("limit", strconv.Itoa(limit))
			p.Next = base + "?" + nq.Encode()
		}
		if start > 0 {
			pq := cloneQuery(q)
			pq.Del("after")
			pq.Set("before", p.Cursors.Before)
			pq.Set("limit", strconv.Itoa(limit))
			p.Previous = base + "?" + pq.Encode()
		}
		resp.Paging = p
	}
	writeJSON(w, http.StatusOK, resp)
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if k == "access_token" { // never echo a token into a link
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}

// projectFields keeps only the requested fields (Graph always returns id).
func projectFields(t Template, fields []string) any {
	if len(fields) == 0 {
		return t
	}
	raw, _ := json.Marshal(t)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	out := map[string]any{"id": t.ID}
	for _, f := range fields {
		if v, ok := m[f]; ok {
			out[f] = v
		}
	}
	return out
}

// Cursors are opaque base64 strings, as Graph's are.
func encodeCursor(i int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "emulator:%d", i))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	s, ok := strings.CutPrefix(string(b), "emulator:")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	return i, err == nil && i >= 0
}

// SetTemplateStatus changes the status of template name/language (e.g.
// PAUSED, REJECTED, DISABLED, APPROVED) and sends the
// message_template_status_update webhook Meta sends for it, to every
// business account of the emulator. It fails for an unknown template.
func (e *Emulator) SetTemplateStatus(ctx context.Context, name, language, status, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	status = strings.ToUpper(status)
	if reason == "" {
		reason = "NONE"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var t *Template
	for i := range e.templates {
		if e.templates[i].Name == name && e.templates[i].Language == language {
			t = &e.templates[i]
		}
	}
	if t == nil {
		return fmt.Errorf("emulator: unknown template %s (%s)", name, language)
	}
	t.Status = status
	if status == "REJECTED" {
		t.RejectedReason = reason
	}
	id, _ := strconv.ParseInt(t.ID, 10, 64)
	value := map[string]any{"event": status, "message_template_id": id, "message_template_name": name,
		"message_template_language": language, "reason": reason}
	now := e.now()
	seen := map[string]bool{}
	for _, n := range e.cfg.PhoneNumbers {
		if seen[n.WABAID] {
			continue
		}
		seen[n.WABAID] = true
		body := metaJSON(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
			"id": n.WABAID, "time": now.Unix(), "changes": []any{map[string]any{"value": value, "field": "message_template_status_update"}},
		}}})
		e.seq++
		e.deliveries = append(e.deliveries, &delivery{id: e.seq, body: body, items: 1, first: now, nextAt: now})
	}
	e.poke()
	return nil
}
