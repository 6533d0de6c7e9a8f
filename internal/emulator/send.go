package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Request shapes of POST /{v}/{phone-number-id}/messages.
type sendRequest struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Recipient        string `json:"recipient"`
	Type             string `json:"type"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
	TypingIndicator  *struct {
		Type string `json:"type"`
	} `json:"typing_indicator"`
	Context *struct {
		MessageID string `json:"message_id"`
	} `json:"context"`
	BizOpaque   string           `json:"biz_opaque_callback_data"`
	Text        *sendText        `json:"text"`
	Image       *sendMedia       `json:"image"`
	Audio       *sendMedia       `json:"audio"`
	Video       *sendMedia       `json:"video"`
	Document    *sendMedia       `json:"document"`
	Sticker     *sendMedia       `json:"sticker"`
	Template    *sendTemplate    `json:"template"`
	Interactive *sendInteractive `json:"interactive"`
	Reaction    *sendReaction    `json:"reaction"`
	Location    *sendLocation    `json:"location"`
	Contacts    []SharedContact  `json:"contacts"`
}

type sendText struct {
	Body       *string `json:"body"`
	PreviewURL bool    `json:"preview_url"`
}

type sendMedia struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type sendReaction struct {
	MessageID string  `json:"message_id"`
	Emoji     *string `json:"emoji"`
}

// flexFloat accepts numbers and numeric strings, as Graph does for coordinates.
type flexFloat struct {
	v  float64
	ok bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	f.v, f.ok = v, true
	return nil
}

type sendLocation struct {
	Latitude  flexFloat `json:"latitude"`
	Longitude flexFloat `json:"longitude"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
}

type sendTemplate struct {
	Name     string `json:"name"`
	Language *struct {
		Code   string `json:"code"`
		Policy string `json:"policy"`
	} `json:"language"`
	Components []sendComponent `json:"components"`
}

type sendComponent struct {
	Type       string          `json:"type"`
	SubType    string          `json:"sub_type"`
	Index      json.RawMessage `json:"index"`
	Parameters []sendParam     `json:"parameters"`
}

type sendParam struct {
	Type          string     `json:"type"`
	ParameterName string     `json:"parameter_name"`
	Text          string     `json:"text"`
	Payload       string     `json:"payload"`
	Image         *sendMedia `json:"image"`
	Video         *sendMedia `json:"video"`
	Document      *sendMedia `json:"document"`
	Currency      *struct {
		FallbackValue string `json:"fallback_value"`
	} `json:"currency"`
	DateTime *struct {
		FallbackValue string `json:"fallback_value"`
	} `json:"date_time"`
}

type sendInteractive struct {
	Type   string `json:"type"`
	Header *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"header"`
	Body *struct {
		Text string `json:"text"`
	} `json:"body"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Action *struct {
		Button  string `json:"button"`
		Buttons []struct {
			Type  string `json:"type"`
			Reply struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"reply"`
		} `json:"buttons"`
		Sections []struct {
			Title string `json:"title"`
			Rows  []struct {
				ID          string `json:"id"`
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"rows"`
		} `json:"sections"`
		Name       string `json:"name"`
		Parameters *struct {
			DisplayText string `json:"display_text"`
			URL         string `json:"url"`
		} `json:"parameters"`
	} `json:"action"`
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// maxSendBody bounds the body of one send request.
const maxSendBody = 1 << 20

// handleSend serves POST /{v}/{phone-number-id}/messages.
func (e *Emulator) handleSend(w http.ResponseWriter, r *http.Request, num Number) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSendBody))
	if err != nil {
		e.writeGraphError(w, invalidParam("Could not read request body"))
		return
	}
	var req sendRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		e.writeGraphError(w, invalidParam("Request body is not valid JSON: "+err.Error()))
		return
	}
	if req.MessagingProduct == "" {
		e.writeGraphError(w, requiredParam("messaging_product"))
		return
	}
	if req.MessagingProduct != "whatsapp" {
		e.writeGraphError(w, invalidParam(`Param messaging_product must be "whatsapp"`))
		return
	}
	if req.Status != "" {
		e.handleMarkRead(w, num, &req)
		return
	}
	if req.To == "" && req.Recipient == "" {
		e.writeGraphError(w, requiredParam("to"))
		return
	}
	var waID string
	byUserID := req.To == "" // Meta uses to when both are set
	if byUserID {
		e.mu.Lock()
		waID = e.byUserID[req.Recipient]
		e.mu.Unlock()
		if waID == "" {
			e.writeGraphError(w, invalidParam("Param recipient must be a valid business-scoped user id"))
			return
		}
	} else {
		waID = digitsOnly(req.To)
		if len(waID) < 7 || len(waID) > 15 {
			e.writeGraphError(w, invalidParam("Param to must be a valid phone number"))
			return
		}
	}
	if req.RecipientType != "" && req.RecipientType != "individual" {
		e.writeGraphError(w, invalidParam(`Param recipient_type must be "individual"`))
		return
	}
	if req.Type == "" {
		req.Type = "text"
	}
	m := &outMsg{PhoneMessage: PhoneMessage{FromBusiness: true, PhoneNumberID: num.PhoneNumberID, WaID: waID, Type: req.Type}, pnid: num.PhoneNumberID}
	m.bizOpaque = req.BizOpaque
	if req.Context != nil {
		m.ContextID = req.Context.MessageID
	}
	if tooLong(req.BizOpaque, 512) {
		e.writeGraphError(w, invalidParam("Param biz_opaque_callback_data must be at most 512 characters long."))
		return
	}

	var tmpl *Template
	var link string
	var gerr *graphError
	switch req.Type {
	case "text":
		gerr = validateText(&req, m)
	case "image", "audio", "video", "document", "sticker":
		link, gerr = e.validateMedia(&req, m)
	case "template":
		tmpl, gerr = e.validateTemplate(&req, m)
		if gerr == nil && byUserID && strings.EqualFold(tmpl.Category, "AUTHENTICATION") {
			gerr = errBSUIDUnsupported()
		}
	case "interactive":
		gerr = validateInteractive(&req, m)
	case "reaction":
		gerr = validateReaction(&req, m)
	case "location":
		gerr = validateLocation(&req, m)
	case "contacts":
		gerr = validateContacts(&req, m)
	default:
		gerr = invalidParam(fmt.Sprintf("Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got %q.", req.Type))
	}
	if gerr != nil {
		e.writeGraphError(w, gerr)
		return
	}

	e.mu.Lock()
	if e.blockedLocked(num.PhoneNumberID, waID) {
		e.mu.Unlock()
		e.writeGraphError(w, errRecipientBlocked())
		return
	}
	now := e.now()
	if !e.takeThroughputLocked(num.PhoneNumberID, now, true) {
		e.mu.Unlock()
		e.writeGraphError(w, errThroughput())
		return
	}
	if !e.takePairLocked(pairKey{num.PhoneNumberID, waID}, now) {
		e.mu.Unlock()
		e.writeGraphError(w, errPairRate())
		return
	}
	window := e.windowOpenLocked(num.PhoneNumberID, waID, now)
	var failure *webhookError
	switch {
	case e.notOnWhatsApp(waID):
		f := errUndeliverable()
		failure = &f
	case tmpl == nil && !window:
		f := errReengagement()
		failure = &f
	case m.mediaFailure != nil:
		failure = m.mediaFailure
	}
	m.category, m.billable, m.priceType = "service", false, "free_customer_service"
	if tmpl != nil {
		m.category = strings.ToLower(tmpl.Category)
		if !(m.category == "utility" && window) {
			m.billable, m.priceType = true, "regular"
		}
	}
	m.ID = e.wamidLocked(waID)
	m.Status = "accepted"
	m.Timestamp = now
	if e.faults.DropRate > 0 && e.chaosRand.Float64() < e.faults.DropRate {
		m.dropped = true
	}
	e.outbound[m.ID] = m
	c := e.customerLocked(waID, "", num.PhoneNumberID)
	c.chat = append(c.chat, m.ID)
	c.lastB = m.ID
	e.stats.sent++
	if link != "" && failure == nil {
		e.fetchLinkLocked(m, link)
	} else {
		e.progressLocked(m, failure)
	}
	e.mu.Unlock()

	type contact struct {
		Input  string `json:"input"`
		WaID   string `json:"wa_id,omitempty"`
		UserID string `json:"user_id,omitempty"`
	}
	type message struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status,omitempty"`
	}
	resp := struct {
		MessagingProduct string    `json:"messaging_product"`
		Contacts         []contact `json:"contacts"`
		Messages         []message `json:"messages"`
	}{"whatsapp", []contact{{Input: req.To, WaID: waID}}, []message{{ID: m.ID}}}
	if byUserID {
		resp.Contacts[0] = contact{Input: req.Recipient, UserID: req.Recipient}
	}
	if tmpl != nil {
		// Meta reports the pacing status only for template sends.
		resp.Messages[0].MessageStatus = "accepted"
	}
	writeJSON(w, http.StatusOK, resp)
}

func validateText(req *sendRequest, m *outMsg) *graphError {
	if req.Text == nil || req.Text.Body == nil {
		return requiredParam("text['body']")
	}
	b := *req.Text.Body
	if strings.TrimSpace(b) == "" {
		return invalidParam("Param text['body'] must be a non-empty string.")
	}
	if tooLong(b, 4096) {
		return invalidParam("Param text['body'] must be at most 4096 characters long.")
	}
	m.Text = b
	return nil
}

// validateMedia checks an image/audio/video/document/sticker object; a link is
// returned for asynchronous fetching, like Meta downloads it after accepting.
func (e *Emulator) validateMedia(req *sendRequest, m *outMsg) (string, *graphError) {
	obj := map[string]*sendMedia{"image": req.Image, "audio": req.Audio, "video": req.Video, "document": req.Document, "sticker": req.Sticker}[req.Type]
	if obj == nil {
		return "", requiredParam(req.Type)
	}
	if obj.ID == "" && obj.Link == "" {
		return "", invalidParam(fmt.Sprintf("Param %s must contain either id or link.", req.Type))
	}
	if obj.ID != "" && obj.Link != "" {
		return "", invalidParam(fmt.Sprintf("Param %s must contain only one of id or link.", req.Type))
	}
	if tooLong(obj.Caption, 1024) {
		return "", invalidParam(fmt.Sprintf("Param %s['caption'] must be at most 1024 characters long.", req.Type))
	}
	switch req.Type {
	case "image", "video", "document":
		m.Caption = obj.Caption
	}
	m.Media = &PhoneMedia{Filename: obj.Filename}
	if obj.Link != "" {
		if !strings.HasPrefix(obj.Link, "http://") && !strings.HasPrefix(obj.Link, "https://") {
			return "", invalidParam(fmt.Sprintf("Param %s['link'] must be a valid URL.", req.Type))
		}
		return obj.Link, nil
	}
	e.mu.Lock()
	mo := e.liveMediaLocked(obj.ID)
	var data []byte
	var mt, fn string
	if mo != nil {
		data, mt, fn = mo.data, mo.mime, mo.filename
	}
	e.mu.Unlock()
	if mo == nil {
		return "", invalidParam(fmt.Sprintf("Param %s['id'] is not a valid media id: %s", req.Type, obj.ID))
	}
	m.Media.setData(data, mt)
	if m.Media.Filename == "" && req.Type == "document" {
		m.Media.Filename = fn
	}
	m.mediaFailure = mediaTypeFailure(req.Type, mt)
	return "", nil
}

// mediaTypeFailure mirrors Meta's asynchronous 131053 when an accepted media id
// does not suit the message type (e.g. audio/opus, which upload accepts).
func mediaTypeFailure(msgType, mimeType string) *webhookError {
	allowed := map[string][]string{
		"image":   {"image/jpeg", "image/png"},
		"sticker": {"image/webp"},
		"audio":   {"audio/ogg; codecs=opus", "audio/mpeg", "audio/amr", "audio/mp4", "audio/aac"},
		"video":   {"video/mp4", "video/3gpp"},
	}[msgType]
	if allowed == nil {
		return nil // documents may carry any supported type
	}
	b := baseMIME(mimeType)
	for _, a := range allowed {
		if baseMIME(a) == b && b != "audio/opus" {
			return nil
		}
	}
	title := strings.ToUpper(msgType[:1]) + msgType[1:]
	f := asyncError(131053, "Media upload error",
		fmt.Sprintf("Unsupported %s mime type %s. Please use one of %s.", title, b, strings.Join(allowed, ", ")))
	return &f
}

func validateReaction(req *sendRequest, m *outMsg) *graphError {
	if req.Reaction == nil {
		return requiredParam("reaction")
	}
	if req.Reaction.MessageID == "" {
		return requiredParam("reaction['message_id']")
	}
	if req.Reaction.Emoji == nil {
		return requiredParam("reaction['emoji']")
	}
	m.Reaction = &PhoneReaction{MessageID: req.Reaction.MessageID, Emoji: *req.Reaction.Emoji}
	return nil
}

func validateLocation(req *sendRequest, m *outMsg) *graphError {
	l := req.Location
	if l == nil {
		return requiredParam("location")
	}
	if !l.Latitude.ok {
		return requiredParam("location['latitude']")
	}
	if !l.Longitude.ok {
		return requiredParam("location['longitude']")
	}
	if l.Latitude.v < -90 || l.Latitude.v > 90 || l.Longitude.v < -180 || l.Longitude.v > 180 {
		return invalidParam("Param location coordinates are out of range.")
	}
	m.Location = &Location{Latitude: l.Latitude.v, Longitude: l.Longitude.v, Name: l.Name, Address: l.Address}
	return nil
}

func validateContacts(req *sendRequest, m *outMsg) *graphError {
	if len(req.Contacts) == 0 {
		return requiredParam("contacts")
	}
	for i, c := range req.Contacts {
		if c.Name.FormattedName == "" {
			return requiredParam(fmt.Sprintf("contacts[%d]['name']['formatted_name']", i))
		}
	}
	m.Contacts = req.Contacts
	return nil
}

// Interactive limits as documented by Meta (docs/whatsapp.md): header and
// footer 60, body 1,024 (lists 4,096), 1-3 reply buttons with unique ids
// (256) and titles (20); lists: button 20, 1-10 sections (titles 24), 1-10
// rows in all (id 200, title 24, description 72); CTA URL: display_text 20
// and an https URL. A value over a limit is 131009, "Parameter value is not
// valid".
func validateInteractive(req *sendRequest, m *outMsg) *graphError {
	in := req.Interactive
	if in == nil {
		return requiredParam("interactive")
	}
	bad := func(details string) *graphError {
		return whatsappError(http.StatusBadRequest, 131009, "Parameter value is not valid", details)
	}
	if in.Type == "" {
		return requiredParam("interactive['type']")
	}
	pi := &PhoneInteractive{Type: in.Type}
	if in.Header != nil {
		if in.Header.Type != "text" {
			return bad("Header type must be text.")
		}
		if tooLong(in.Header.Text, 60) {
			return bad("Header text is too long. Max length is 60.")
		}
		pi.Header = in.Header.Text
	}
	if in.Footer != nil {
		if tooLong(in.Footer.Text, 60) {
			return bad("Footer text is too long. Max length is 60.")
		}
		pi.Footer = in.Footer.Text
	}
	if in.Body != nil {
		pi.Body = in.Body.Text
	}
	needBody := in.Type == "button" || in.Type == "list" || in.Type == "cta_url"
	if needBody && (in.Body == nil || strings.TrimSpace(in.Body.Text) == "") {
		return requiredParam("interactive['body']['text']")
	}
	if in.Type == "list" {
		if tooLong(pi.Body, 4096) {
			return bad("Body text is too long. Max length is 4096.")
		}
	} else if tooLong(pi.Body, 1024) {
		return bad("Body text is too long. Max length is 1024.")
	}
	if in.Action == nil && in.Type != "location_request_message" {
		return requiredParam("interactive['action']")
	}
	switch in.Type {
	case "button":
		n := len(in.Action.Buttons)
		if n < 1 || n > 3 {
			return bad("Buttons count must be between 1 and 3.")
		}
		ids, titles := map[string]bool{}, map[string]bool{}
		for _, b := range in.Action.Buttons {
			if b.Reply.ID == "" || b.Reply.Title == "" {
				return bad("Each button needs reply.id and reply.title.")
			}
			if tooLong(b.Reply.Title, 20) {
				return bad("Button title length is too long. Max length is 20.")
			}
			if tooLong(b.Reply.ID, 256) || ids[b.Reply.ID] {
				return bad("Button ids must be unique and at most 256 characters long.")
			}
			if titles[b.Reply.Title] {
				return bad("Button titles must be unique.")
			}
			ids[b.Reply.ID], titles[b.Reply.Title] = true, true
			pi.Options = append(pi.Options, PhoneOption{ID: b.Reply.ID, Title: b.Reply.Title})
		}
	case "list":
		if in.Action.Button == "" || tooLong(in.Action.Button, 20) {
			return bad("List button text is required and must be at most 20 characters long.")
		}
		pi.Button = in.Action.Button
		rows := 0
		if len(in.Action.Sections) < 1 || len(in.Action.Sections) > 10 {
			return bad("Sections count must be between 1 and 10.")
		}
		ids := map[string]bool{}
		for _, s := range in.Action.Sections {
			if tooLong(s.Title, 24) {
				return bad("Section title is too long. Max length is 24.")
			}
			if s.Title == "" && len(in.Action.Sections) > 1 {
				return bad("Section title is required when there is more than one section.")
			}
			for _, row := range s.Rows {
				rows++
				if row.ID == "" || row.Title == "" || tooLong(row.Title, 24) || tooLong(row.Description, 72) || tooLong(row.ID, 200) {
					return bad("Row needs id (max 200) and title (max 24); description max 72.")
				}
				if ids[row.ID] {
					return bad("Row ids must be unique.")
				}
				ids[row.ID] = true
				pi.Options = append(pi.Options, PhoneOption{ID: row.ID, Title: row.Title, Description: row.Description})
			}
		}
		if rows < 1 || rows > 10 {
			return bad("Total row count must be between 1 and 10.")
		}
	case "cta_url":
		p := in.Action.Parameters
		if p == nil || p.DisplayText == "" || p.URL == "" {
			return requiredParam("interactive['action']['parameters']")
		}
		if in.Action.Name != "cta_url" {
			return bad(`Action name must be "cta_url".`)
		}
		if tooLong(p.DisplayText, 20) {
			return bad("Display text is too long. Max length is 20.")
		}
		if u, err := url.Parse(p.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			return bad("URL must be a valid https URL.")
		}
		pi.Button = p.DisplayText
		pi.URL = p.URL
	}
	m.Interactive = pi
	m.Text = pi.Body
	return nil
}

// validateTemplate implements 132001 (name/language unknown or not approved),
// 132015/132016 (paused/disabled) and 132000 (parameter count mismatch).
func (e *Emulator) validateTemplate(req *sendRequest, m *outMsg) (*Template, *graphError) {
	st := req.Template
	if st == nil {
		return nil, requiredParam("template")
	}
	if st.Name == "" {
		return nil, requiredParam("template['name']")
	}
	if st.Language == nil || st.Language.Code == "" {
		return nil, requiredParam("template['language']['code']")
	}
	var t *Template
	for _, x := range e.Templates() {
		if x.Name == st.Name && x.Language == st.Language.Code {
			t = &x
			break
		}
	}
	notExist := whatsappError(http.StatusBadRequest, 132001, "Template name does not exist in the translation",
		fmt.Sprintf("template name (%s) does not exist in %s", st.Name, st.Language.Code))
	if t == nil {
		return nil, notExist
	}
	switch t.Status {
	case "APPROVED":
	case "PAUSED":
		return nil, whatsappError(http.StatusBadRequest, 132015, "Template is Paused",
			fmt.Sprintf("Template %s is paused due to low quality so it cannot be sent in a template message.", t.Name))
	case "DISABLED":
		return nil, whatsappError(http.StatusBadRequest, 132016, "Template is Disabled",
			fmt.Sprintf("Template %s has been paused too many times due to low quality and is now permanently disabled.", t.Name))
	default:
		return nil, notExist
	}

	given := map[string][]sendParam{}
	buttonParams := map[int][]sendParam{}
	for _, c := range st.Components {
		typ := strings.ToLower(c.Type)
		if typ == "button" {
			idx, err := strconv.Atoi(strings.Trim(string(c.Index), `"`))
			if err != nil {
				return nil, requiredParam("template['components'][]['index']")
			}
			buttonParams[idx] = append(buttonParams[idx], c.Parameters...)
			continue
		}
		given[typ] = append(given[typ], c.Parameters...)
	}
	pt := &PhoneTemplate{Name: t.Name, Language: t.Language}
	var lines []string
	buttonIdx := 0
	for _, comp := range t.Components {
		switch comp.Type {
		case "HEADER", "BODY":
			key := strings.ToLower(comp.Type)
			ps := given[key]
			if comp.Type == "HEADER" && comp.Format != "" && comp.Format != "TEXT" {
				if len(ps) != 1 {
					return nil, mismatch(key, len(ps), 1)
				}
				pt.Params = append(pt.Params, "<"+strings.ToLower(comp.Format)+">")
				continue
			}
			names := placeholders(comp.Text)
			if len(ps) != len(names) {
				return nil, mismatch(key, len(ps), len(names))
			}
			text, err := hydrate(comp.Text, names, ps, t.ParameterFormat == "NAMED")
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				pt.Params = append(pt.Params, paramText(p))
			}
			lines = append(lines, text)
		case "FOOTER":
			lines = append(lines, comp.Text)
		case "BUTTONS":
			for _, b := range comp.Buttons {
				pt.Buttons = append(pt.Buttons, b.Text)
				want := 0
				if b.Type == "URL" && len(placeholders(b.URL)) > 0 {
					want = 1
				}
				got := buttonParams[buttonIdx]
				if b.Type == "URL" && len(got) != want {
					return nil, mismatch("button", len(got), want)
				}
				buttonIdx++
			}
		}
	}
	pt.Text = strings.Join(lines, "\n")
	m.Template = pt
	m.Text = pt.Text
	return t, nil
}

func mismatch(component string, got, want int) *graphError {
	return whatsappError(http.StatusBadRequest, 132000, "Number of parameters does not match the expected number of params",
		fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", component, got, want))
}

func paramText(p sendParam) string {
	switch {
	case p.Currency != nil:
		return p.Currency.FallbackValue
	case p.DateTime != nil:
		return p.DateTime.FallbackValue
	case p.Payload != "":
		return p.Payload
	}
	return p.Text
}

// hydrate fills placeholders: by position for POSITIONAL, by parameter_name for NAMED.
func hydrate(text string, names []string, ps []sendParam, named bool) (string, *graphError) {
	values := map[string]string{}
	for i, p := range ps {
		if p.Type == "" {
			return "", requiredParam("template['components'][]['parameters'][]['type']")
		}
		if named {
			if p.ParameterName == "" {
				return "", requiredParam("template['components'][]['parameters'][]['parameter_name']")
			}
			values[p.ParameterName] = paramText(p)
		} else {
			values[strconv.Itoa(i+1)] = paramText(p)
		}
	}
	for _, n := range names {
		if _, ok := values[n]; !ok {
			return "", invalidParam(fmt.Sprintf("Parameter name is missing or invalid: %s", n))
		}
	}
	return placeholderRE.ReplaceAllStringFunc(text, func(s string) string {
		return values[placeholderRE.FindStringSubmatch(s)[1]]
	}), nil
}

// handleMarkRead serves {"status":"read","message_id":...}: the business marks an
// inbound message (and, like WhatsApp, all earlier ones) as read.
func (e *Emulator) handleMarkRead(w http.ResponseWriter, num Number, req *sendRequest) {
	if req.Status != "read" {
		e.writeGraphError(w, invalidParam(`Param status must be "read"`))
		return
	}
	if req.MessageID == "" {
		e.writeGraphError(w, requiredParam("message_id"))
		return
	}
	e.mu.Lock()
	in := e.inbound[req.MessageID]
	if in == nil || in.pnid != num.PhoneNumberID {
		e.mu.Unlock()
		e.writeGraphError(w, invalidParam("Param message_id is not a valid message id: "+req.MessageID))
		return
	}
	now := e.now()
	if req.TypingIndicator != nil {
		if req.TypingIndicator.Type != "text" {
			e.mu.Unlock()
			e.writeGraphError(w, invalidParam(`Param typing_indicator['type'] must be "text"`))
			return
		}
		ts := append(e.typing[in.WaID], now)
		if len(ts) > 20 {
			ts = ts[len(ts)-20:]
		}
		e.typing[in.WaID] = ts
	}
	if c := e.customers[in.WaID]; c != nil {
		for _, id := range c.chat {
			if x := e.inbound[id]; x != nil && x.pnid == num.PhoneNumberID && !x.Timestamp.After(in.Timestamp) && x.Status != "read" {
				x.Status = "read"
				x.Statuses = append(x.Statuses, StatusEvent{Status: "read", At: now})
			}
		}
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// --- rate limits and window --------------------------------------------------------

// takeThroughputLocked counts one message against the per-number mps budget.
// Inbound messages count too (Meta's limit is inclusive) but are never refused.
func (e *Emulator) takeThroughputLocked(pnid string, now time.Time, enforce bool) bool {
	if e.cfg.Throughput < 0 {
		return true
	}
	w := e.tput[pnid]
	if w == nil {
		w = &tputWindow{}
		e.tput[pnid] = w
	}
	if sec := now.Unix(); w.second != sec {
		w.second, w.count = sec, 0
	}
	if enforce && w.count >= e.cfg.Throughput {
		return false
	}
	w.count++
	return true
}

func (e *Emulator) takePairLocked(k pairKey, now time.Time) bool {
	p := e.cfg.PairRate
	if p.Burst < 0 {
		return true
	}
	b := e.pairs[k]
	if b == nil {
		b = &bucket{tokens: float64(p.Burst), last: now}
		e.pairs[k] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(float64(p.Burst), b.tokens+float64(elapsed)/float64(p.Every))
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// windowOpenLocked reports whether the 24-hour customer service window is open:
// the customer's latest inbound message to this number is younger than 24 h.
func (e *Emulator) windowOpenLocked(pnid, waID string, now time.Time) bool {
	last, ok := e.lastInbound[pairKey{pnid, waID}]
	return ok && now.Sub(last) < 24*time.Hour
}

func (e *Emulator) notOnWhatsApp(waID string) bool {
	for _, p := range e.cfg.NotOnWhatsApp {
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(waID, pre) {
				return true
			}
		} else if p == waID {
			return true
		}
	}
	return false
}

// --- status progression --------------------------------------------------------------

// statusRank orders statuses so that they only ever move forward.
func statusRank(s string) int {
	switch s {
	case "sent":
		return 1
	case "delivered":
		return 2
	case "read":
		return 3
	case "failed":
		return 4
	}
	return 0
}

// progressLocked schedules the message's statuses: failed, or sent → delivered → read.
func (e *Emulator) progressLocked(m *outMsg, failure *webhookError) {
	if m.dropped {
		return
	}
	now := e.now()
	d := e.cfg.StatusDelays
	if failure != nil {
		f := *failure
		e.scheduleLocked(now.Add(d.Sent), func(at time.Time) { e.failLocked(m, f, at) })
		return
	}
	e.scheduleLocked(now.Add(d.Sent), func(at time.Time) { e.advanceLocked(m, "sent", at) })
	e.scheduleLocked(now.Add(max(d.Delivered, d.Sent)), func(at time.Time) { e.advanceLocked(m, "delivered", at) })
	if d.Read >= 0 {
		e.scheduleLocked(now.Add(max(d.Read, d.Delivered, d.Sent)), func(at time.Time) { e.advanceLocked(m, "read", at) })
	}
}

func (e *Emulator) failLocked(m *outMsg, f webhookError, at time.Time) {
	m.Status = "failed"
	m.Statuses = append(m.Statuses, StatusEvent{Status: "failed", At: at})
	m.Error = &StatusError{Code: f.Code, Title: f.Title}
	e.stats.errors[f.Code]++
	st := &whStatus{
		ID: m.ID, Status: "failed", Timestamp: unixString(at), RecipientID: m.WaID,
		BizOpaqueCallbackData: m.bizOpaque, Errors: []webhookError{f},
	}
	e.recipientLocked(st, m)
	e.enqueueLocked(&whItem{pnid: m.pnid, statuses: true, status: st})
}

// advanceLocked moves the message forward; statuses never go backwards, and a
// read that overtakes delivered suppresses the delivered webhook, like Meta.
func (e *Emulator) advanceLocked(m *outMsg, status string, at time.Time) {
	if statusRank(m.Status) >= statusRank(status) || m.Status == "failed" {
		return
	}
	if status == "read" && m.Status == "accepted" {
		return // the phone cannot read what it has not received
	}
	m.Status = status
	m.Statuses = append(m.Statuses, StatusEvent{Status: status, At: at})
	if m.Reaction != nil && status == "delivered" {
		if target := e.inbound[m.Reaction.MessageID]; target != nil {
			target.ReactionEmoji = m.Reaction.Emoji // the customer now sees the business's reaction
		}
	}
	st := &whStatus{ID: m.ID, Status: status, Timestamp: unixString(at), RecipientID: m.WaID, BizOpaqueCallbackData: m.bizOpaque}
	e.recipientLocked(st, m)
	if status == "sent" || status == "delivered" {
		st.Pricing = &whPricing{Billable: m.billable, PricingModel: "PMP", Category: m.category, Type: m.priceType}
	}
	e.enqueueLocked(&whItem{pnid: m.pnid, statuses: true, status: st})
}

// recipientLocked names a status's recipient as Meta does since 2026: by
// BSUID always (recipient_user_id), by phone number unless the customer
// shares only a username.
func (e *Emulator) recipientLocked(st *whStatus, m *outMsg) {
	c := e.customers[m.WaID]
	if c == nil {
		return
	}
	st.RecipientUserID = c.userID
	if c.usernameOnly {
		st.RecipientID = ""
	}
}

// fetchLinkLocked downloads a link-based media message in the background, as
// Meta does after accepting it; failure becomes a 131053 failed status.
func (e *Emulator) fetchLinkLocked(m *outMsg, link string) {
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		data, mimeType, failure := e.fetch(e.lifetime, link)
		e.mu.Lock()
		defer e.mu.Unlock()
		if failure == nil {
			m.Media.setData(data, mimeType)
			failure = mediaTypeFailure(m.Type, mimeType)
		}
		e.progressLocked(m, failure)
	}()
}

func (e *Emulator) fetch(ctx context.Context, link string) ([]byte, string, *webhookError) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	fail := func(details string) ([]byte, string, *webhookError) {
		f := asyncError(131053, "Media upload error", details)
		return nil, "", &f
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return fail("Downloading media from weblink failed: invalid URL")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return fail("Downloading media from weblink failed: connection error")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Sprintf("Downloading media from weblink failed with http code %d, status message %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 100<<20+1))
	if err != nil {
		return fail("Downloading media from weblink failed: read error")
	}
	mt := resp.Header.Get("Content-Type")
	if _, ok := kindOf(mt); !ok {
		return fail(fmt.Sprintf("Media type %s is not supported.", baseMIME(mt)))
	}
	return data, mt, nil
}
