package whatsapp

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
)

// MaxBlockUsers is how many users one Block Users request may name.
const MaxBlockUsers = 1000

// BlockResult is the answer of the Block Users API: the users blocked
// (Added) or unblocked (Removed), and those that failed with Meta's
// per-user errors.
type BlockResult struct {
	MessagingProduct string `json:"messaging_product"`
	BlockUsers       struct {
		Added   []BlockedUser `json:"added_users"`
		Removed []BlockedUser `json:"removed_users"`
		Failed  []BlockedUser `json:"failed_users"`
	} `json:"block_users"`
}

// BlockedUser is one user of a Block Users answer.
type BlockedUser struct {
	Input  string       `json:"input"`
	WaID   string       `json:"wa_id"`
	Errors []BlockError `json:"errors,omitempty"`
}

// BlockError is why a user could not be blocked (e.g. 131047: the user has
// not written in the last 24 hours).
type BlockError struct {
	Message   string `json:"message"`
	Code      int    `json:"code"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

type blockUser struct {
	User string `json:"user"`
}

type blockBody struct {
	MessagingProduct string      `json:"messaging_product"`
	BlockUsers       []blockUser `json:"block_users"`
}

// BlockUsers blocks users (phone numbers) on the business number (POST
// /{version}/{phone-number-id}/block_users). Meta blocks only users who
// wrote in the last 24 hours and answers per user; a user in Failed is
// reported as an [*APIError] with that user's code.
func (c *Client) BlockUsers(ctx context.Context, token, phoneNumberID string, users ...string) (*BlockResult, error) {
	return c.blockUsers(ctx, http.MethodPost, token, phoneNumberID, users)
}

// UnblockUsers unblocks users (DELETE /{version}/{phone-number-id}/block_users).
func (c *Client) UnblockUsers(ctx context.Context, token, phoneNumberID string, users ...string) (*BlockResult, error) {
	return c.blockUsers(ctx, http.MethodDelete, token, phoneNumberID, users)
}

func (c *Client) blockUsers(ctx context.Context, method, token, phoneNumberID string, users []string) (*BlockResult, error) {
	op := "block users"
	if method == http.MethodDelete {
		op = "unblock users"
	}
	if err := requireArgs("token", token, "phone number id", phoneNumberID); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if len(users) == 0 || len(users) > MaxBlockUsers {
		return nil, fmt.Errorf("%s: %w", op, invalid("need 1 to %d users, got %d", MaxBlockUsers, len(users)))
	}
	b := blockBody{MessagingProduct: "whatsapp"}
	for _, u := range users {
		if u == "" {
			return nil, fmt.Errorf("%s: %w", op, invalid("empty user"))
		}
		b.BlockUsers = append(b.BlockUsers, blockUser{User: u})
	}
	body, err := marshalJSON(&b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req, err := c.newRequest(ctx, method, token, nil, bytes.NewReader(body), "application/json", phoneNumberID, "block_users")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var res BlockResult
	if err := c.doJSON(req, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if f := res.BlockUsers.Failed; len(f) > 0 {
		e := &APIError{HTTPStatus: http.StatusOK, Message: "the user could not be blocked", meta: true}
		if len(f[0].Errors) > 0 {
			e.Code, e.Message, e.Details = f[0].Errors[0].Code, f[0].Errors[0].Message, f[0].Errors[0].ErrorData.Details
		}
		return &res, fmt.Errorf("%s: %w", op, e)
	}
	return &res, nil
}
