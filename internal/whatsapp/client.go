package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
)

// Defaults used when the corresponding [Client] field is empty.
const (
	DefaultBaseURL = "https://graph.facebook.com"
	// DefaultVersion is the pinned Graph API version: the newest one Meta
	// offers (v27.0, released 4 November 2026; docs/whatsapp.md, "Graph API
	// version"). Unversioned calls would silently use whatever version the
	// app's dashboard names.
	DefaultVersion   = "v27.0"
	DefaultUserAgent = "switchboard-whatsapp/1"
)

const (
	// maxJSONResponse caps every Graph API response body read into memory.
	maxJSONResponse = 1 << 20
	// templatePageSize is the page size asked of message_templates.
	templatePageSize = 100
	// templateFields lists the template fields the inbox needs.
	templateFields = "id,name,language,status,category,parameter_format,components,quality_score"
)

// MaxTemplatePages bounds [Client.ListTemplates] so that a paging loop (a
// cursor that never ends) cannot run forever.
const MaxTemplatePages = 50

// Sender sends messages through the Cloud API.
type Sender interface {
	SendMessage(ctx context.Context, token, phoneNumberID string, msg *OutboundMessage) (*SendResult, error)
}

// MediaFetcher resolves and downloads media ids from webhooks.
type MediaFetcher interface {
	GetMedia(ctx context.Context, token, mediaID string) (*MediaInfo, error)
	DownloadMedia(ctx context.Context, token, mediaURL string, maxBytes int64, w io.Writer) (int64, error)
}

// TemplateLister lists a WhatsApp Business Account's message templates.
type TemplateLister interface {
	ListTemplates(ctx context.Context, token, wabaID string) ([]Template, error)
}

var (
	_ Sender         = (*Client)(nil)
	_ MediaFetcher   = (*Client)(nil)
	_ TemplateLister = (*Client)(nil)
)

// Client calls the Graph API. The zero value talks to graph.facebook.com
// with [DefaultVersion] and http.DefaultClient. A Client holds no state of
// its own and is safe for concurrent use; access tokens are passed per call
// because one installation may serve several WhatsApp Business Accounts.
type Client struct {
	// BaseURL is the Graph API origin, default [DefaultBaseURL]. The
	// emulator points it at itself.
	BaseURL string
	// Version is the Graph API version path segment, default
	// [DefaultVersion].
	Version string
	// HTTPClient performs the requests, default http.DefaultClient. Set a
	// Timeout on it or pass contexts with deadlines.
	HTTPClient *http.Client
	// UserAgent is sent with every request, default [DefaultUserAgent].
	UserAgent string
	// MediaHosts are extra host names [Client.DownloadMedia] may fetch
	// from, besides the BaseURL host and lookaside.fbsbx.com.
	MediaHosts []string
	// AllowPrivate lifts the media download address policy: plain http
	// and loopback/private targets become allowed. Only the in-process
	// emulator and tests on 127.0.0.1 should set it.
	AllowPrivate bool
}

// SendResult is the response to a successful send. A 200 means Meta
// accepted the message, not that it was delivered; delivery and failures
// arrive later as statuses.
type SendResult struct {
	MessagingProduct string        `json:"messaging_product,omitempty"`
	Contacts         []SendContact `json:"contacts,omitempty"`
	Messages         []SentMessage `json:"messages,omitempty"`
	// Success is set by mark-as-read requests.
	Success bool `json:"success,omitempty"`
}

// SendContact maps the recipient as given (Input) to their WhatsApp id,
// which may differ after normalisation and is the one to store. A send to
// a phone number returns WaID; a send to a business-scoped user id returns
// UserID instead.
type SendContact struct {
	Input  string `json:"input"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

// SentMessage is the wamid of a sent message and Meta's acceptance state
// ("accepted", or "held_for_quality_assessment" for some marketing
// templates).
type SentMessage struct {
	ID            string `json:"id"`
	MessageStatus string `json:"message_status,omitempty"`
}

// MediaInfo is the metadata of an uploaded or received media id. URL is
// valid for about five minutes and needs the bearer token.
type MediaInfo struct {
	MessagingProduct string `json:"messaging_product,omitempty"`
	URL              string `json:"url"`
	MimeType         string `json:"mime_type"`
	SHA256           string `json:"sha256"`
	FileSize         int64  `json:"file_size"`
	ID               string `json:"id"`
}

// UnmarshalJSON accepts file_size as a number or a numeric string, since
// both appear in Meta's examples.
func (m *MediaInfo) UnmarshalJSON(data []byte) error {
	type plain MediaInfo
	var p struct {
		plain
		FileSize json.RawMessage `json:"file_size"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*m = MediaInfo(p.plain)
	m.FileSize = 0
	raw := bytes.Trim(bytes.TrimSpace(p.FileSize), `"`)
	if len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("decode file_size: %w", err)
		}
		m.FileSize = n
	}
	return nil
}

// SendMessage sends msg from the business phone number phoneNumberID (POST
// /{version}/{phone-number-id}/messages). It validates msg first, fills in
// messaging_product and recipient_type, and does not modify msg. A 200
// without a message id is reported as an unknown outcome, because Meta may
// have accepted a message whose id we cannot record.
func (c *Client) SendMessage(ctx context.Context, token, phoneNumberID string, msg *OutboundMessage) (*SendResult, error) {
	if err := msg.Validate(); err != nil {
		return nil, fmt.Errorf("send message: %w", err)
	}
	if err := requireArgs("token", token, "phone number id", phoneNumberID); err != nil {
		return nil, fmt.Errorf("send message: %w", err)
	}
	m := *msg
	m.MessagingProduct = "whatsapp"
	if (m.To != "" || m.Recipient != "") && m.RecipientType == "" {
		m.RecipientType = "individual"
	}
	body, err := marshalJSON(&m)
	if err != nil {
		return nil, fmt.Errorf("send message: %w", err)
	}
	req, err := c.newRequest(ctx, http.MethodPost, token, nil, bytes.NewReader(body), "application/json", phoneNumberID, "messages")
	if err != nil {
		return nil, fmt.Errorf("send message: %w", err)
	}
	var res SendResult
	if err := c.doJSON(req, &res); err != nil {
		return nil, fmt.Errorf("send message: %w", err)
	}
	if m.Status == "" && (len(res.Messages) == 0 || res.Messages[0].ID == "") {
		return nil, fmt.Errorf("send message: %w", &RequestError{
			Method: req.Method, URL: redactURL(req.URL), Written: true,
			Err: errors.New("response has no message id"),
		})
	}
	return &res, nil
}

// MarkRead marks the inbound message wamid (and earlier ones in the chat)
// as read, showing blue ticks to the user.
func (c *Client) MarkRead(ctx context.Context, token, phoneNumberID, wamid string) error {
	res, err := c.SendMessage(ctx, token, phoneNumberID, &OutboundMessage{Status: StatusRead, MessageID: wamid})
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	if !res.Success {
		return fmt.Errorf("mark read: %w", &RequestError{
			Method: http.MethodPost, URL: phoneNumberID + "/messages", Written: true,
			Err: errors.New("response is not success"),
		})
	}
	return nil
}

// SendTypingIndicator marks the inbound message wamid read and shows the
// customer "typing…" until the business replies or for 25 seconds
// ({"status":"read","message_id":wamid,"typing_indicator":{"type":"text"}}).
func (c *Client) SendTypingIndicator(ctx context.Context, token, phoneNumberID, wamid string) error {
	res, err := c.SendMessage(ctx, token, phoneNumberID, &OutboundMessage{Status: StatusRead, MessageID: wamid, TypingIndicator: &TypingIndicator{Type: "text"}})
	if err != nil {
		return fmt.Errorf("typing indicator: %w", err)
	}
	if !res.Success {
		return fmt.Errorf("typing indicator: %w", &RequestError{
			Method: http.MethodPost, URL: phoneNumberID + "/messages", Written: true,
			Err: errors.New("response is not success"),
		})
	}
	return nil
}

// UploadMedia uploads r as a multipart form (messaging_product=whatsapp,
// type=mimeType, file) to POST /{version}/{phone-number-id}/media and
// returns the media id. The body is streamed, not buffered; check type and
// size with [CheckOutboundMedia] first, because Meta's rejection of an
// unsupported file may only show up when the message is sent.
func (c *Client) UploadMedia(ctx context.Context, token, phoneNumberID, filename, mimeType string, r io.Reader) (mediaID string, err error) {
	if err := requireArgs("token", token, "phone number id", phoneNumberID, "filename", filename, "mime type", mimeType); err != nil {
		return "", fmt.Errorf("upload media: %w", err)
	}
	if r == nil {
		return "", fmt.Errorf("upload media: %w", invalid("reader is nil"))
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, err := c.newRequest(ctx, http.MethodPost, token, nil, pr, mw.FormDataContentType(), phoneNumberID, "media")
	if err != nil {
		return "", fmt.Errorf("upload media: %w", err)
	}
	// Closing the read side, here or by the transport when the request
	// ends early, unblocks and ends the writer goroutine.
	defer pr.Close()
	go func() {
		pw.CloseWithError(writeUploadForm(mw, filename, mimeType, r))
	}()
	var res struct {
		ID string `json:"id"`
	}
	if err := c.doJSON(req, &res); err != nil {
		return "", fmt.Errorf("upload media: %w", err)
	}
	if res.ID == "" {
		return "", fmt.Errorf("upload media: %w", &RequestError{
			Method: req.Method, URL: redactURL(req.URL), Written: true,
			Err: errors.New("response has no media id"),
		})
	}
	return res.ID, nil
}

func writeUploadForm(mw *multipart.Writer, filename, mimeType string, r io.Reader) error {
	if err := mw.WriteField("messaging_product", "whatsapp"); err != nil {
		return err
	}
	if err := mw.WriteField("type", mimeType); err != nil {
		return err
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, quoteFilename(filename)))
	h.Set("Content-Type", mimeType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return fmt.Errorf("read upload: %w", err)
	}
	return mw.Close()
}

// quoteFilename escapes a filename for a Content-Disposition parameter and
// drops control characters, which could otherwise inject header lines.
func quoteFilename(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			continue
		case r == '"' || r == '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// GetMedia returns the download URL and metadata of a media id
// (GET /{version}/{media-id}).
func (c *Client) GetMedia(ctx context.Context, token, mediaID string) (*MediaInfo, error) {
	if err := requireArgs("token", token, "media id", mediaID); err != nil {
		return nil, fmt.Errorf("get media: %w", err)
	}
	req, err := c.newRequest(ctx, http.MethodGet, token, nil, nil, "", mediaID)
	if err != nil {
		return nil, fmt.Errorf("get media: %w", err)
	}
	var info MediaInfo
	if err := c.doJSON(req, &info); err != nil {
		return nil, fmt.Errorf("get media: %w", err)
	}
	return &info, nil
}

// ListTemplates returns all message templates of the WhatsApp Business
// Account (GET /{version}/{waba-id}/message_templates). It follows paging
// with the "after" cursor, taken from paging.cursors or from paging.next,
// always against BaseURL: an absolute next URL is never fetched, so a
// response cannot send the access token elsewhere. It stops after
// [MaxTemplatePages] pages with an error.
func (c *Client) ListTemplates(ctx context.Context, token, wabaID string) ([]Template, error) {
	if err := requireArgs("token", token, "waba id", wabaID); err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	q := url.Values{"fields": {templateFields}, "limit": {strconv.Itoa(templatePageSize)}}
	seen := make(map[string]bool)
	var out []Template
	for page := 0; ; page++ {
		if page == MaxTemplatePages {
			return nil, fmt.Errorf("list templates: more than %d pages", MaxTemplatePages)
		}
		req, err := c.newRequest(ctx, http.MethodGet, token, q, nil, "", wabaID, "message_templates")
		if err != nil {
			return nil, fmt.Errorf("list templates: %w", err)
		}
		var res struct {
			Data   []Template `json:"data"`
			Paging *struct {
				Cursors struct {
					Before string `json:"before"`
					After  string `json:"after"`
				} `json:"cursors"`
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.doJSON(req, &res); err != nil {
			return nil, fmt.Errorf("list templates: page %d: %w", page+1, err)
		}
		out = append(out, res.Data...)
		// Graph omits "next" on the last page even when cursors exist.
		if res.Paging == nil || res.Paging.Next == "" {
			return out, nil
		}
		after := res.Paging.Cursors.After
		if after == "" {
			if next, err := url.Parse(res.Paging.Next); err == nil {
				after = next.Query().Get("after")
			}
		}
		if after == "" {
			return nil, fmt.Errorf("list templates: page %d has a next link but no after cursor", page+1)
		}
		if seen[after] {
			return nil, fmt.Errorf("list templates: page %d repeats cursor", page+1)
		}
		seen[after] = true
		q.Set("after", after)
	}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

func (c *Client) baseURL() (*url.URL, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, invalid("base url %q is not an absolute http(s) url", base)
	}
	return u, nil
}

// newRequest builds a request for /{version}/{segments...}, escaping each
// segment so that ids cannot change the path.
func (c *Client) newRequest(ctx context.Context, method, token string, query url.Values, body io.Reader, contentType string, segments ...string) (*http.Request, error) {
	u, err := c.baseURL()
	if err != nil {
		return nil, err
	}
	version := c.Version
	if version == "" {
		version = DefaultVersion
	}
	path := strings.TrimRight(u.Path, "/") + "/" + version
	raw := strings.TrimRight(u.EscapedPath(), "/") + "/" + url.PathEscape(version)
	for _, s := range segments {
		path += "/" + s
		raw += "/" + url.PathEscape(s)
	}
	u.Path, u.RawPath = path, raw
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, invalid("build request: %v", err)
	}
	c.setHeaders(req, token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

func (c *Client) setHeaders(req *http.Request, token string) {
	req.Header.Set("Authorization", "Bearer "+token)
	ua := c.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
}

// do sends req with hc, recording whether the request was fully written so
// that failures can be classified as "not sent" or "unknown".
func do(hc *http.Client, req *http.Request) (*http.Response, error) {
	written := new(atomic.Bool)
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				written.Store(true)
			}
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &RequestError{Method: req.Method, URL: redactURL(req.URL), Written: written.Load(), Err: err}
	}
	return resp, nil
}

// doJSON performs req and decodes a 2xx JSON body into out, or returns an
// [*APIError] for other statuses. Bodies are read with a 1 MiB cap.
func (c *Client) doJSON(req *http.Request, out any) error {
	resp, err := do(c.httpClient(), req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, readErr := readCapped(resp.Body, maxJSONResponse)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A truncated error body still has a usable status code.
		return parseAPIError(resp.StatusCode, body)
	}
	fail := func(err error) error {
		return &RequestError{Method: req.Method, URL: redactURL(req.URL), Written: true, Err: err}
	}
	if readErr != nil {
		return fail(readErr)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fail(fmt.Errorf("decode response: %w", err))
	}
	return nil
}

// readCapped reads at most limit bytes and fails with ErrResponseTooLarge if
// there is more.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return body, fmt.Errorf("read response: %w", err)
	}
	if int64(len(body)) > limit {
		return body[:limit], fmt.Errorf("read response: %w (over %d bytes)", ErrResponseTooLarge, limit)
	}
	return body, nil
}

// redactURL drops the query, which for media URLs is a short-lived
// capability that has no place in error messages.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := *u
	r.RawQuery, r.Fragment, r.User = "", "", nil
	return r.String()
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Meta does not need <>& escaped; keep bodies readable.
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// requireArgs checks name/value pairs for empty values.
func requireArgs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return invalid("%s is empty", pairs[i])
		}
	}
	return nil
}
