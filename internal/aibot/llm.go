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
	"strings"
)

// chatMessage is one message of a chat-completions request.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []chatMessage   `json:"messages"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
	Temperature    float64         `json:"temperature"`
}

type responseFormat struct {
	Type string `json:"type"`
}

type chatResponse struct {
	Choices []struct {
		FinishReason string `json:"finish_reason"`
		Message      struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
	} `json:"choices"`
}

// errRefused is a model's refusal to answer: a refusal field, or the
// finish reason content_filter. It is not retried.
var errRefused = errors.New("the model refused to answer")

// llm calls an OpenAI-compatible chat-completions endpoint.
type llm struct {
	url, model, key string
	jsonMode        bool
	http            *http.Client
}

// complete asks the model and returns the answer's text. It returns
// errRefused for a refusal and another error for anything else that went
// wrong; errors never contain the prompt or the answer.
func (l *llm) complete(ctx context.Context, msgs []chatMessage) (string, error) {
	req := chatRequest{Model: l.model, Messages: msgs, Temperature: 0.2}
	if l.jsonMode {
		req.ResponseFormat = &responseFormat{Type: "json_object"}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	hr, err := http.NewRequestWithContext(ctx, "POST", l.url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	if l.key != "" {
		hr.Header.Set("Authorization", "Bearer "+l.key)
	}
	resp, err := l.http.Do(hr)
	if err != nil {
		// The error names the URL and the cause (timeout, refused
		// connection), never the key, which travels in a header; a query
		// (where some gateways take a key) is cut off.
		var ue *url.Error
		if errors.As(err, &ue) {
			if i := strings.IndexByte(ue.URL, '?'); i >= 0 {
				ue.URL = ue.URL[:i] + "?…"
			}
		}
		return "", fmt.Errorf("chat completions: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", fmt.Errorf("chat completions: read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("chat completions: HTTP %d", resp.StatusCode)
	}
	var cr chatResponse
	if err := json.Unmarshal(data, &cr); err != nil {
		return "", errors.New("chat completions: the answer is not JSON")
	}
	if len(cr.Choices) == 0 {
		return "", errors.New("chat completions: the answer has no choices")
	}
	ch := cr.Choices[0]
	if ch.FinishReason == "content_filter" || (ch.Message.Refusal != nil && strings.TrimSpace(*ch.Message.Refusal) != "") {
		return "", errRefused
	}
	if ch.Message.Content == nil || strings.TrimSpace(*ch.Message.Content) == "" {
		return "", errors.New("chat completions: the answer is empty")
	}
	return *ch.Message.Content, nil
}
