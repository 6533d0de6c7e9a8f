package emulator

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
)

var versionRE = regexp.MustCompile(`^v\d+\.\d+$`)

// base returns the absolute base URL for links handed out in responses.
func (e *Emulator) base(r *http.Request) string {
	if e.cfg.BaseURL != "" {
		return strings.TrimRight(e.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	b := scheme + "://" + r.Host
	e.mu.Lock()
	if e.baseURL == "" {
		// Remembered so that webhooks (which have no request) can carry media URLs.
		e.baseURL = b
	}
	e.mu.Unlock()
	return b
}

func (e *Emulator) count(endpoint string) {
	e.mu.Lock()
	e.stats.requests[endpoint]++
	e.mu.Unlock()
}

// authorized accepts the token as a Bearer header or access_token query
// parameter, the two ways Graph accepts it.
func (e *Emulator) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		tok = r.URL.Query().Get("access_token")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(e.cfg.AccessToken)) == 1
}

// failAttempt counts this attempt of the send whose body r carries and,
// while it is among the first n, answers it with a generic error. The body
// is put back for the handler.
func (e *Emulator) failAttempt(w http.ResponseWriter, r *http.Request, n int) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSendBody+1))
	if err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	key := sha256.Sum256(body)
	e.mu.Lock()
	if e.attempts == nil {
		e.attempts = map[[32]byte]int{}
	}
	e.attempts[key]++
	fail := e.attempts[key] <= n
	e.mu.Unlock()
	if fail {
		e.writeGraphError(w, errGeneric())
	}
	return fail
}

// handleGraph routes /{version}/... requests.
func (e *Emulator) handleGraph(w http.ResponseWriter, r *http.Request) {
	e.base(r)
	path := strings.Trim(r.URL.Path, "/")
	segs := strings.Split(path, "/")
	if len(segs) < 2 || !versionRE.MatchString(segs[0]) || segs[1] == "" {
		// Graph answers an unknown version even before looking at the token.
		e.count(r.Method + " unknown")
		e.writeGraphError(w, errUnknownPath("/"+path))
		return
	}
	id, edge := segs[1], strings.Join(segs[2:], "/")
	endpoint := r.Method + " /" + edge
	if edge == "" {
		endpoint = r.Method + " /{id}"
	}
	e.count(endpoint)
	if !e.authorized(r) {
		e.writeGraphError(w, errBadToken())
		return
	}
	f := e.CurrentFaults()
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if f.ErrorRate > 0 {
		e.mu.Lock()
		fail := e.chaosRand.Float64() < f.ErrorRate
		e.mu.Unlock()
		if fail {
			e.writeGraphError(w, errGeneric())
			return
		}
	}
	if f.FailFirst > 0 && edge == "messages" && r.Method == http.MethodPost && e.failAttempt(w, r, f.FailFirst) {
		return
	}

	num, isNumber := e.numbers[id]
	isWABA := false
	for _, n := range e.numbers {
		isWABA = isWABA || n.WABAID == id
	}
	switch {
	case edge == "messages" && r.Method == http.MethodPost:
		if !isNumber {
			e.writeGraphError(w, errNoObject(r.Method, id))
			return
		}
		e.handleSend(w, r, num)
	case edge == "block_users" && (r.Method == http.MethodPost || r.Method == http.MethodDelete):
		if !isNumber {
			e.writeGraphError(w, errNoObject(r.Method, id))
			return
		}
		e.handleBlockUsers(w, r, num)
	case edge == "media" && r.Method == http.MethodPost:
		if !isNumber {
			e.writeGraphError(w, errNoObject(r.Method, id))
			return
		}
		e.handleUpload(w, r, num)
	case edge == "message_templates" && r.Method == http.MethodGet:
		if !isWABA {
			e.writeGraphError(w, errNoObject(r.Method, id))
			return
		}
		e.handleTemplates(w, r, id)
	case edge == "" && r.Method == http.MethodGet && isNumber:
		writeJSON(w, http.StatusOK, map[string]any{
			"verified_name": "Switchboard Emulator", "code_verification_status": "VERIFIED",
			"display_phone_number": "+" + num.DisplayPhoneNumber, "quality_rating": "GREEN",
			"platform_type": "CLOUD_API", "throughput": map[string]string{"level": "STANDARD"}, "id": num.PhoneNumberID,
		})
	case edge == "" && r.Method == http.MethodGet:
		e.handleMediaGet(w, r, id)
	case edge == "" && r.Method == http.MethodDelete:
		e.handleMediaDelete(w, r, id)
	case edge == "" || isNumber || isWABA:
		if edge == "" {
			e.writeGraphError(w, errNoObject(r.Method, id))
		} else {
			e.writeGraphError(w, errUnknownPath("/"+edge))
		}
	default:
		e.writeGraphError(w, errNoObject(r.Method, id))
	}
}

// --- media --------------------------------------------------------------------

type mediaKind struct {
	name  string
	mimes []string
	max   int64
}

// mediaKinds lists supported types and limits from Meta's "Supported media
// types" (dossier §5).
func mediaKinds() []mediaKind {
	return []mediaKind{
		{"audio", []string{"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg", "audio/opus"}, 16 << 20},
		{"document", []string{"text/plain", "application/pdf", "application/msword",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"}, 100 << 20},
		{"image", []string{"image/jpeg", "image/png"}, 5 << 20},
		{"sticker", []string{"image/webp"}, 500 << 10},
		{"video", []string{"video/mp4", "video/3gpp"}, 16 << 20},
	}
}

// uploadTypesMessage is Meta's list, in Meta's order, from its own error message.
const uploadTypesMessage = "audio/aac, audio/mp4, audio/mpeg, audio/amr, audio/ogg, audio/opus, application/vnd.ms-powerpoint, application/msword, application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/vnd.openxmlformats-officedocument.presentationml.presentation, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/pdf, text/plain, application/vnd.ms-excel, image/jpeg, image/png, image/webp, video/mp4, video/3gpp"

func baseMIME(m string) string {
	if t, _, err := mime.ParseMediaType(m); err == nil {
		return t
	}
	return strings.ToLower(strings.TrimSpace(m))
}

func kindOf(m string) (mediaKind, bool) {
	b := baseMIME(m)
	for _, k := range mediaKinds() {
		for _, x := range k.mimes {
			if x == b {
				return k, true
			}
		}
	}
	return mediaKind{}, false
}

// handleUpload serves POST /{v}/{phone-number-id}/media (multipart/form-data).
func (e *Emulator) handleUpload(w http.ResponseWriter, r *http.Request, num Number) {
	r.Body = http.MaxBytesReader(w, r.Body, 101<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		e.writeGraphError(w, requiredParam("file"))
		return
	}
	var product, fileType, filename string
	var data []byte
	haveFile := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			e.writeGraphError(w, invalidParam("Malformed multipart body"))
			return
		}
		switch part.FormName() {
		case "messaging_product":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			product = string(b)
		case "file":
			haveFile = true
			fileType = part.Header.Get("Content-Type")
			filename = part.FileName()
			data, err = io.ReadAll(part)
			if err != nil {
				e.writeGraphError(w, whatsappError(http.StatusBadRequest, 131053, "Media upload error", "File exceeds the maximum upload size."))
				return
			}
		}
		_ = part.Close()
	}
	if product == "" {
		e.writeGraphError(w, requiredParam("messaging_product"))
		return
	}
	if product != "whatsapp" {
		e.writeGraphError(w, invalidParam(`Param messaging_product must be "whatsapp"`))
		return
	}
	if !haveFile {
		e.writeGraphError(w, requiredParam("file"))
		return
	}
	if fileType == "" {
		fileType = "application/octet-stream"
	}
	kind, ok := kindOf(fileType)
	if !ok {
		// Meta's message for this case carries no error_data.
		e.writeGraphError(w, &graphError{
			Message: fmt.Sprintf("(#100) Param file must be a file with one of the following types: %s. Received file of type '%s'.", uploadTypesMessage, baseMIME(fileType)),
			Type:    "OAuthException", Code: 100, status: http.StatusBadRequest,
		})
		return
	}
	if int64(len(data)) > kind.max {
		e.writeGraphError(w, whatsappError(http.StatusBadRequest, 131053, "Media upload error",
			fmt.Sprintf("Media file size %d bytes exceeds the %d bytes limit for %s.", len(data), kind.max, kind.name)))
		return
	}
	e.mu.Lock()
	m := e.storeMediaLocked(num.PhoneNumberID, fileType, filename, data, e.now().Add(30*24*time.Hour))
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": m.id})
}

func (e *Emulator) storeMediaLocked(pnid, mimeType, filename string, data []byte, expires time.Time) *mediaObject {
	m := &mediaObject{
		id: e.numericIDLocked(16), pnid: pnid, mime: mimeType, filename: filename,
		data: data, sha256: sha256.Sum256(data), expires: expires,
	}
	e.media[m.id] = m
	return m
}

// liveMediaLocked returns a media object unless unknown, deleted or expired.
func (e *Emulator) liveMediaLocked(id string) *mediaObject {
	m := e.media[id]
	if m == nil || m.deleted || !e.now().Before(m.expires) {
		return nil
	}
	return m
}

// lookasideURLLocked issues a download URL valid for five minutes.
func (e *Emulator) lookasideURLLocked(base string, m *mediaObject) string {
	hash := ""
	for range 4 {
		hash += e.numericIDLocked(8)
	}
	now := e.now()
	e.lookaside[hash] = lookasideGrant{mediaID: m.id, expires: now.Add(5 * time.Minute)}
	ext := now.Unix()
	return fmt.Sprintf("%s/emulator/lookaside/whatsapp_business/attachments/?mid=%s&ext=%d&hash=%s", base, m.id, ext, hash)
}

func (e *Emulator) handleMediaGet(w http.ResponseWriter, r *http.Request, id string) {
	base := e.base(r)
	e.mu.Lock()
	m := e.liveMediaLocked(id)
	if m == nil {
		e.mu.Unlock()
		e.writeGraphError(w, errNoObject(r.Method, id))
		return
	}
	u := e.lookasideURLLocked(base, m)
	e.mu.Unlock()
	// Field order as in real responses; sha256 is hex here (inbound webhooks use base64).
	writeJSON(w, http.StatusOK, struct {
		URL              string `json:"url"`
		MimeType         string `json:"mime_type"`
		SHA256           string `json:"sha256"`
		FileSize         int    `json:"file_size"`
		ID               string `json:"id"`
		MessagingProduct string `json:"messaging_product"`
	}{u, m.mime, hex.EncodeToString(m.sha256[:]), len(m.data), m.id, "whatsapp"})
}

func (e *Emulator) handleMediaDelete(w http.ResponseWriter, r *http.Request, id string) {
	e.mu.Lock()
	m := e.liveMediaLocked(id)
	if m != nil {
		m.deleted = true
	}
	e.mu.Unlock()
	if m == nil {
		e.writeGraphError(w, errNoObject(r.Method, id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// handleLookaside serves media bytes: bearer token required, URL valid 5 minutes.
func (e *Emulator) handleLookaside(w http.ResponseWriter, r *http.Request) {
	e.count("GET /lookaside")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !e.authorized(r) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	hash := r.URL.Query().Get("hash")
	e.mu.Lock()
	g, ok := e.lookaside[hash]
	var m *mediaObject
	if ok && e.now().Before(g.expires) && g.mediaID == r.URL.Query().Get("mid") {
		m = e.media[g.mediaID]
	}
	e.mu.Unlock()
	if m == nil || m.deleted {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", m.mime)
	w.Header().Set("Content-Length", fmt.Sprint(len(m.data)))
	if m.filename != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.filename}))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(m.data)
	}
}
