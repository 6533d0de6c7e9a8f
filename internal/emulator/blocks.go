package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// ErrBlocked is what CustomerSend returns for a customer the business
// blocked: WhatsApp does not deliver their messages to the business.
var ErrBlocked = errors.New("emulator: the business blocked this customer; the message is not delivered")

// Limits of the Block Users API (Meta: "Block users").
const (
	maxBlockRequest = 1000  // users in one request
	maxBlocklist    = 64000 // users on one number's blocklist
)

type blockRequest struct {
	MessagingProduct string `json:"messaging_product"`
	BlockUsers       []struct {
		User string `json:"user"`
	} `json:"block_users"`
}

type blockedUser struct {
	Input  string       `json:"input"`
	WaID   string       `json:"wa_id,omitempty"`
	Errors []blockError `json:"errors,omitempty"`
}

type blockError struct {
	Message   string     `json:"message"`
	Code      int        `json:"code"`
	ErrorData *errorData `json:"error_data,omitempty"`
}

// handleBlockUsers serves POST (block) and DELETE (unblock)
// /{v}/{phone-number-id}/block_users: {"messaging_product":"whatsapp",
// "block_users":[{"user":"<phone>"}]}. Blocking needs a message from the
// user in the last 24 hours; per-user failures are listed in
// failed_users (131047 for that one). Unblocking has no such rule.
func (e *Emulator) handleBlockUsers(w http.ResponseWriter, r *http.Request, num Number) {
	var req blockRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		e.writeGraphError(w, invalidParam("Request body is not valid JSON."))
		return
	}
	if req.MessagingProduct != "whatsapp" {
		e.writeGraphError(w, invalidParam(`Param messaging_product must be "whatsapp"`))
		return
	}
	if len(req.BlockUsers) == 0 {
		e.writeGraphError(w, requiredParam("block_users"))
		return
	}
	if len(req.BlockUsers) > maxBlockRequest {
		e.writeGraphError(w, invalidParam("Param block_users must have at most 1000 users."))
		return
	}
	block := r.Method == http.MethodPost
	e.mu.Lock()
	now := e.now()
	var done, failed []blockedUser
	for _, u := range req.BlockUsers {
		waID := digitsOnly(u.User)
		if len(waID) < 7 || len(waID) > 15 {
			failed = append(failed, blockedUser{Input: u.User, Errors: []blockError{{Message: "Invalid user", Code: 131009,
				ErrorData: &errorData{Details: "The user is not a valid phone number."}}}})
			continue
		}
		k := pairKey{num.PhoneNumberID, waID}
		switch {
		case !block:
			delete(e.blocked, k)
		case !e.windowOpenLocked(num.PhoneNumberID, waID, now):
			failed = append(failed, blockedUser{Input: u.User, WaID: waID, Errors: []blockError{{Message: "Re-engagement required", Code: 131047,
				ErrorData: &errorData{Details: "User has not messaged in the last 24 hours"}}}})
			continue
		case len(e.blocked) >= maxBlocklist:
			failed = append(failed, blockedUser{Input: u.User, WaID: waID, Errors: []blockError{{Message: "Blocklist is full", Code: 139100,
				ErrorData: &errorData{Details: "The blocklist has reached its limit of 64000 users."}}}})
			continue
		default:
			e.blocked[k] = now
		}
		done = append(done, blockedUser{Input: u.User, WaID: waID})
	}
	if len(done) > 0 {
		e.dirty = true
	}
	e.mu.Unlock()
	res := map[string]any{}
	if block {
		res["added_users"] = nonNil(done)
		if len(failed) > 0 {
			res["failed_users"] = failed
		}
	} else {
		res["removed_users"] = nonNil(done)
	}
	writeJSON(w, http.StatusOK, map[string]any{"messaging_product": "whatsapp", "block_users": res})
}

func nonNil(u []blockedUser) []blockedUser {
	if u == nil {
		return []blockedUser{}
	}
	return u
}

// blockedLocked reports whether the business number blocked the customer.
func (e *Emulator) blockedLocked(pnid, waID string) bool {
	_, ok := e.blocked[pairKey{pnid, waID}]
	return ok
}

// Blocked reports whether the business number pnid blocked waID.
func (e *Emulator) Blocked(pnid, waID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.blockedLocked(pnid, digitsOnly(waID))
}

// errRecipientBlocked is the answer to a send to a customer the business
// blocked. Meta documents only that "attempts to message a blocked user
// return an error"; the code is the one for an undeliverable message.
func errRecipientBlocked() *graphError {
	return whatsappError(http.StatusBadRequest, 131026, "Message undeliverable",
		"The recipient is on this business phone number's blocklist. Unblock the user to message them.")
}

// typingShown is how long WhatsApp shows a typing indicator at most.
const typingShown = 25 * time.Second

// Typing returns the times the business sent waID a typing indicator,
// oldest first.
func (e *Emulator) Typing(waID string) []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Time(nil), e.typing[digitsOnly(waID)]...)
}

// typingLocked reports whether the customer's phone shows "typing…" now:
// an indicator came in the last 25 seconds and no business message since.
func (e *Emulator) typingLocked(c *customer, now time.Time) bool {
	ts := e.typing[c.waID]
	if len(ts) == 0 {
		return false
	}
	last := ts[len(ts)-1]
	if now.Sub(last) >= typingShown {
		return false
	}
	if m := e.outbound[c.lastB]; m != nil && !m.Timestamp.Before(last) {
		return false
	}
	return true
}
