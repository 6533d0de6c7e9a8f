package aibot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// apiError is an error answer of the Switchboard API.
type apiError struct {
	Status int
	Code   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("switchboard answered %d (%s)", e.Status, e.Code)
}

// statusOf returns the HTTP status of an API error, or 0.
func statusOf(err error) int {
	var e *apiError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// codeOf returns the error code of an API error, or "".
func codeOf(err error) string {
	var e *apiError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// client calls the Switchboard REST API with the bot's token.
type client struct {
	base  string
	token string
	http  *http.Client
}

// The parts of the API's objects the bot reads.
type (
	user struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	channel struct {
		ID         string `json:"id"`
		BotAgentID string `json:"bot_agent_id"`
	}
	conversation struct {
		ID        string `json:"id"`
		ChannelID string `json:"channel_id"`
		Status    string `json:"status"`
		Handler   string `json:"handler"`
	}
	message struct {
		ID        string `json:"id"`
		Direction string `json:"direction"`
		Type      string `json:"type"`
		Author    string `json:"author"`
		Content   struct {
			Text     string `json:"text"`
			Template *struct {
				Name string `json:"name"`
			} `json:"template"`
			Interactive *struct {
				Title string `json:"title"`
			} `json:"interactive"`
		} `json:"content"`
		Timestamp time.Time `json:"timestamp"`
	}
)

// do sends a JSON request and decodes a JSON answer into out (if not nil).
func (c *client) do(ctx context.Context, method, path string, header http.Header, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "switchboard-bot/1")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		return &apiError{Status: resp.StatusCode, Code: e.Error.Code}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}

func (c *client) me(ctx context.Context) (*user, error) {
	var me struct {
		User user `json:"user"`
	}
	if err := c.do(ctx, "GET", "/api/v1/me", nil, nil, &me); err != nil {
		return nil, err
	}
	return &me.User, nil
}

func (c *client) channels(ctx context.Context) ([]channel, error) {
	var page struct {
		Items []channel `json:"items"`
	}
	err := c.do(ctx, "GET", "/api/v1/channels", nil, nil, &page)
	return page.Items, err
}

func (c *client) conversation(ctx context.Context, id string) (*conversation, error) {
	var conv conversation
	if err := c.do(ctx, "GET", "/api/v1/conversations/"+url.PathEscape(id), nil, nil, &conv); err != nil {
		return nil, err
	}
	return &conv, nil
}

// history returns up to n newest messages, newest first.
func (c *client) history(ctx context.Context, id string, n int) ([]message, error) {
	var page struct {
		Items []message `json:"items"`
	}
	err := c.do(ctx, "GET", "/api/v1/conversations/"+url.PathEscape(id)+"/messages?limit="+strconv.Itoa(n), nil, nil, &page)
	return page.Items, err
}

// send sends a text reply. The key makes a retried send of the answer to
// the same customer message a no-op on the server.
func (c *client) send(ctx context.Context, convID, text, key string) error {
	h := http.Header{"Idempotency-Key": {key}}
	return c.do(ctx, "POST", "/api/v1/conversations/"+url.PathEscape(convID)+"/messages", h,
		map[string]string{"type": "text", "text": text}, nil)
}

// sendTemplate sends an approved template; the server applies the same
// rules as to people (approved, parameters, marketing opt-out).
func (c *client) sendTemplate(ctx context.Context, convID string, t *templateSend, key string) error {
	h := http.Header{"Idempotency-Key": {key}}
	return c.do(ctx, "POST", "/api/v1/conversations/"+url.PathEscape(convID)+"/messages", h,
		map[string]any{"type": "template", "template": t}, nil)
}

// suggest stores a suggested reply for people to send, edit or discard.
func (c *client) suggest(ctx context.Context, convID, text, rationale string) error {
	return c.do(ctx, "POST", "/api/v1/conversations/"+url.PathEscape(convID)+"/suggestions", nil,
		map[string]string{"text": text, "rationale": rationale}, nil)
}

// handoff hands the conversation to people.
func (c *client) handoff(ctx context.Context, convID, reason, summary string) error {
	return c.do(ctx, "POST", "/api/v1/conversations/"+url.PathEscape(convID)+"/handoff", nil,
		map[string]string{"to": "human", "reason": reason, "summary": summary}, nil)
}

// recentOpen lists open conversations, newest activity first, updated
// after since, at most max of them.
func (c *client) recentOpen(ctx context.Context, since time.Time, max int) ([]conversationItem, error) {
	var out []conversationItem
	cursor := ""
	for len(out) < max {
		var page struct {
			Items      []conversationItem `json:"items"`
			NextCursor string             `json:"next_cursor"`
		}
		path := "/api/v1/conversations?status=open&limit=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.do(ctx, "GET", path, nil, nil, &page); err != nil {
			return out, err
		}
		for _, it := range page.Items {
			if it.UpdatedAt.Before(since) {
				return out, nil
			}
			out = append(out, it)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	return out, nil
}

// conversationItem is a conversation in a list, with its newest message.
type conversationItem struct {
	conversation
	UpdatedAt   time.Time `json:"updated_at"`
	LastMessage *struct {
		Direction string `json:"direction"`
	} `json:"last_message"`
}
