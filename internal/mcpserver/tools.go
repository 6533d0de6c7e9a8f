package mcpserver

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// HistoryURIPrefix starts the URI of a conversation's history resource:
// switchboard://conversations/{id}/history.
const HistoryURIPrefix = "switchboard://conversations/"

// maxPage bounds the page size of every list tool.
const maxPage = 100

// ListInput filters list_conversations.
type ListInput struct {
	Status     string `json:"status,omitempty" jsonschema:"open or closed; empty for both"`
	Assignment string `json:"assignment,omitempty" jsonschema:"all, unassigned, assigned or mine; empty for all"`
	Limit      int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100 (default 20)"`
	Cursor     string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page"`
}

// SearchInput is the input of search_conversations.
type SearchInput struct {
	Query  string `json:"query" jsonschema:"part of the customer's name, phone number or username"`
	Limit  int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100 (default 20)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page"`
}

// ConversationsOutput is a page of conversations, in the REST API's JSON.
type ConversationsOutput struct {
	Conversations []*switchboard.Conversation `json:"conversations"`
	NextCursor    string                      `json:"next_cursor"`
}

// ReadInput is the input of read_conversation.
type ReadInput struct {
	ConversationID string `json:"conversation_id" jsonschema:"the conversation's id"`
	Limit          int    `json:"limit,omitempty" jsonschema:"how many of the newest messages, 1 to 100 (default 50)"`
	Before         string `json:"before,omitempty" jsonschema:"cursor for older messages: the before of the previous answer"`
}

// ReadOutput is a conversation with a page of its messages, newest last.
type ReadOutput struct {
	Conversation *switchboard.Conversation `json:"conversation"`
	Messages     []*switchboard.Message    `json:"messages"`
	Before       string                    `json:"before"`
}

// ReplyInput is the input of reply.
type ReplyInput struct {
	ConversationID string `json:"conversation_id" jsonschema:"the conversation's id"`
	Text           string `json:"text" jsonschema:"the message to the customer, at most 4096 characters"`
	IdempotencyKey string `json:"idempotency_key,omitempty" jsonschema:"optional; a retry with the same key sends nothing new"`
}

// ReplyOutput is the queued message.
type ReplyOutput struct {
	Message *switchboard.Message `json:"message"`
}

// TemplatesInput is the input of list_templates.
type TemplatesInput struct {
	ConversationID string `json:"conversation_id" jsonschema:"the conversation whose channel's templates to list"`
}

// TemplatesOutput is a channel's approved templates.
type TemplatesOutput struct {
	Templates []*switchboard.Template `json:"templates"`
}

// FailureInput is the input of report_failure.
type FailureInput struct {
	ConversationID string `json:"conversation_id" jsonschema:"the conversation's id"`
}

// SendTemplateInput is the input of send_template.
type SendTemplateInput struct {
	ConversationID string            `json:"conversation_id" jsonschema:"the conversation's id"`
	Name           string            `json:"name" jsonschema:"the template's name (see list_templates)"`
	Language       string            `json:"language" jsonschema:"the template's language code, e.g. en_US or de"`
	Parameters     map[string]string `json:"parameters,omitempty" jsonschema:"a value for every placeholder, keyed body.1, body.2 (body.first_name for named ones), header.1 for a text header, header for a media header (an https link or media id), button.0.1 for a URL button"`
	IdempotencyKey string            `json:"idempotency_key,omitempty" jsonschema:"optional; a retry with the same key sends nothing new"`
}

// AssignInput is the input of assign.
type AssignInput struct {
	ConversationID string `json:"conversation_id" jsonschema:"the conversation's id"`
	UserID         string `json:"user_id" jsonschema:"the user to add as an assignee (see list_users)"`
}

// ConversationOutput is one conversation.
type ConversationOutput struct {
	Conversation *switchboard.Conversation `json:"conversation"`
}

// HandOffInput is the input of hand_off.
type HandOffInput struct {
	ConversationID string `json:"conversation_id" jsonschema:"the conversation's id"`
	To             string `json:"to" jsonschema:"human (to people) or bot (back to the channel's bot)"`
	Reason         string `json:"reason,omitempty" jsonschema:"why, at most 200 characters; required when the bot hands off"`
	Summary        string `json:"summary,omitempty" jsonschema:"what the person taking over should know, at most 2000 characters"`
}

// SuggestInput is the input of suggest_reply.
type SuggestInput struct {
	ConversationID string `json:"conversation_id" jsonschema:"the conversation's id"`
	Text           string `json:"text" jsonschema:"the draft reply, at most 4096 characters"`
	Rationale      string `json:"rationale,omitempty" jsonschema:"why this reply, for the person who decides; at most 2000 characters"`
}

// SuggestionOutput is the stored suggestion.
type SuggestionOutput struct {
	Suggestion *switchboard.Suggestion `json:"suggestion"`
}

// NoteInput is the input of add_note.
type NoteInput struct {
	ConversationID string   `json:"conversation_id" jsonschema:"the conversation's id"`
	Text           string   `json:"text" jsonschema:"the private note for the team, at most 4096 characters; never sent to the customer"`
	Mentions       []string `json:"mentions,omitempty" jsonschema:"ids of users to mention (see list_users), at most 20; each is notified and may read the conversation while mentioned"`
}

// NoteOutput is the stored note.
type NoteOutput struct {
	Note *switchboard.ThreadEntry `json:"note"`
}

// MessageSearchInput is the input of search_messages.
type MessageSearchInput struct {
	Query  string `json:"query" jsonschema:"words to find in messages and notes (all of them; a 4-letter word also matches words starting with it)"`
	Limit  int    `json:"limit,omitempty" jsonschema:"page size, 1 to 50 (default 20)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor of the previous page"`
}

// MessageSearchOutput is a page of hits, newest first.
type MessageSearchOutput struct {
	Results    []*switchboard.SearchResult `json:"results"`
	NextCursor string                      `json:"next_cursor"`
}

// UsersInput is the input of list_users.
type UsersInput struct {
	Query string `json:"query,omitempty" jsonschema:"part of a login or name"`
}

// UsersOutput is a list of users.
type UsersOutput struct {
	Users []*switchboard.User `json:"users"`
}

func pageSize(n, def int) int {
	switch {
	case n <= 0:
		return def
	case n > maxPage:
		return maxPage
	}
	return n
}

// The tools' outputs are the REST API's JSON (Conversation adds computed
// fields in its MarshalJSON), so they are declared as any: a schema
// inferred from the Go structs would refuse those fields.

// addTools registers the tools and the history resource. Labels do not
// exist in Switchboard yet, so there is no tool for them.
func (s *Server) addTools(srv *mcp.Server) {
	readOnly := &mcp.ToolAnnotations{ReadOnlyHint: true}
	mcp.AddTool(srv, &mcp.Tool{
		Name: "list_conversations", Title: "List conversations", Annotations: readOnly,
		Description: "Lists the conversations you may see, most recent first.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, in ListInput) (*mcp.CallToolResult, any, error) {
		return s.list(ctx, req, switchboard.ConversationFilter{Status: switchboard.ConversationStatus(in.Status), Assignment: in.Assignment, Cursor: in.Cursor, Limit: pageSize(in.Limit, 20)})
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "search_conversations", Title: "Search conversations", Annotations: readOnly,
		Description: "Finds conversations by the customer's name, phone number or username.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, in SearchInput) (*mcp.CallToolResult, any, error) {
		if strings.TrimSpace(in.Query) == "" {
			return nil, nil, s.toolError(switchboard.Errorf(switchboard.EInvalid, "query is required."))
		}
		return s.list(ctx, req, switchboard.ConversationFilter{Query: in.Query, Cursor: in.Cursor, Limit: pageSize(in.Limit, 20)})
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "read_conversation", Title: "Read a conversation", Annotations: readOnly,
		Description: "Returns a conversation and its newest messages (oldest first); pass before for older ones. Reading marks it read for you.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, in ReadInput) (*mcp.CallToolResult, any, error) {
		out, err := s.read(ctx, req.Extra, in)
		if err != nil {
			return nil, nil, err
		}
		return nil, out, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "reply", Title: "Reply to the customer",
		Description: "Sends a text message to the customer of a conversation (needs the conversations.reply scope and an open 24-hour window; once it closed, use send_template). The message is queued and delivered by WhatsApp; its status changes later.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(false), OpenWorldHint: ptr(true)},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in ReplyInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		m, err := s.Service.Send(ctx, a, in.ConversationID, inbox.Outgoing{Type: switchboard.TypeText, Text: in.Text, IdempotencyKey: in.IdempotencyKey})
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, ReplyOutput{Message: m}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "list_templates", Title: "List message templates", Annotations: readOnly,
		Description: "Lists the approved WhatsApp templates of a conversation's channel, with their category and components (placeholders such as {{1}} or {{first_name}}); needs conversations.reply.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, in TemplatesInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		c, err := s.Service.Conversation(ctx, a, in.ConversationID)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		ts, err := s.Service.ListTemplates(ctx, a, c.ChannelID)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, TemplatesOutput{Templates: ts}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "send_template", Title: "Send a template message",
		Description: "Sends an approved WhatsApp template to the customer of a conversation: the only message WhatsApp allows once the 24-hour window has closed. The same rules as for people apply: conversations.reply, an approved template of the channel, a value for every placeholder, no marketing template to a customer who stopped marketing messages, and the channel's bot only while it handles the conversation.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(false), OpenWorldHint: ptr(true)},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in SendTemplateInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		m, err := s.Service.Send(ctx, a, in.ConversationID, inbox.Outgoing{Type: switchboard.TypeTemplate, IdempotencyKey: in.IdempotencyKey,
			Template: &switchboard.TemplateSend{Name: in.Name, Language: in.Language, Parameters: in.Parameters}})
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, ReplyOutput{Message: m}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "assign", Title: "Assign a person",
		Description: "Adds a user as an assignee of a conversation (needs conversations.assign).",
		Annotations: &mcp.ToolAnnotations{IdempotentHint: true, DestructiveHint: ptr(false)},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in AssignInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		if !switchboard.ValidID(in.UserID) {
			return nil, nil, s.toolError(switchboard.NotFound("User"))
		}
		c, err := s.Service.Assign(ctx, a, in.ConversationID, in.UserID)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, ConversationOutput{Conversation: c}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "hand_off", Title: "Hand off the conversation",
		Description: "Hands a conversation to people (to: human) with a reason and a summary, as the channel's bot while it handles the conversation; or, as a person, takes it over (human) or hands it back to the bot (bot, needs conversations.assign). After a hand-off to people the bot may only suggest replies.",
		Annotations: &mcp.ToolAnnotations{IdempotentHint: true, DestructiveHint: ptr(false)},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in HandOffInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		c, err := s.Service.HandOff(ctx, a, in.ConversationID, switchboard.Handler(in.To), in.Reason, in.Summary)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, ConversationOutput{Conversation: c}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "report_failure", Title: "Report a failure of the bot",
		Description: "As the channel's bot while it handles the conversation: tells Switchboard you failed the customer once (you could not answer, your model failed). The channel's bot-failure rule counts it with refused messages and discarded suggestions and hands the conversation to people at its limit (reason bot_failed). Returns the conversation; handoff.bot_failures is the count.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(false)},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in FailureInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		c, err := s.Service.ReportBotFailure(ctx, a, in.ConversationID)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, ConversationOutput{Conversation: c}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "suggest_reply", Title: "Suggest a reply",
		Description: "Offers a draft reply (with an optional rationale) that a person sends as it is, edits or discards; for the channel's bot agent, whoever handles the conversation. Nothing reaches the customer until a person sends it.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(false)},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in SuggestInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		sg, err := s.Service.Suggest(ctx, a, in.ConversationID, in.Text, in.Rationale)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, SuggestionOutput{Suggestion: sg}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "add_note", Title: "Add a private note",
		Description: "Writes a private note in a conversation you may see, for the team only (never sent to WhatsApp), optionally mentioning users who may be mentioned there (active, allowed on the channel).",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(false)},
	}, func(ctx context.Context, req *mcp.CallToolRequest, in NoteInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		n, err := s.Service.AddNote(ctx, a, in.ConversationID, in.Text, in.Mentions)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, NoteOutput{Note: n}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "search_messages", Title: "Search messages and notes", Annotations: readOnly,
		Description: "Finds messages and private notes containing all the words, newest first, only in conversations you may see. A page can be short or empty and still have a next_cursor: follow it for older hits.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, in MessageSearchInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		limit := in.Limit
		if limit <= 0 {
			limit = 20
		}
		limit = min(limit, switchboard.MaxSearchLimit)
		hits, next, err := s.Service.SearchMessages(ctx, a, in.Query, in.Cursor, limit)
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		return nil, MessageSearchOutput{Results: hits, NextCursor: next}, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name: "list_users", Title: "List users", Annotations: readOnly,
		Description: "Lists the users you may see (needs users.read), e.g. to pick an assignee.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, in UsersInput) (*mcp.CallToolResult, any, error) {
		a, err := actorOf(req.Extra)
		if err != nil {
			return nil, nil, err
		}
		active := true
		us, _, err := s.Service.Users(ctx, a, switchboard.UserFilter{Query: in.Query, Active: &active, Limit: maxPage})
		if err != nil {
			return nil, nil, s.toolError(err)
		}
		if us == nil {
			us = []*switchboard.User{}
		}
		return nil, UsersOutput{Users: us}, nil
	})

	srv.AddResourceTemplate(&mcp.ResourceTemplate{
		Name: "conversation-history", Title: "Conversation history", MIMEType: "application/json",
		URITemplate: HistoryURIPrefix + "{id}/history",
		Description: "A conversation and its newest 100 messages, as JSON.",
	}, s.history)
}

func ptr[T any](v T) *T { return &v }

func (s *Server) list(ctx context.Context, req *mcp.CallToolRequest, f switchboard.ConversationFilter) (*mcp.CallToolResult, any, error) {
	a, err := actorOf(req.Extra)
	if err != nil {
		return nil, nil, err
	}
	cs, next, err := s.Service.Conversations(ctx, a, f)
	if err != nil {
		return nil, nil, s.toolError(err)
	}
	if cs == nil {
		cs = []*switchboard.Conversation{}
	}
	return nil, ConversationsOutput{Conversations: cs, NextCursor: next}, nil
}

func (s *Server) read(ctx context.Context, extra *mcp.RequestExtra, in ReadInput) (ReadOutput, error) {
	a, err := actorOf(extra)
	if err != nil {
		return ReadOutput{}, err
	}
	c, err := s.Service.Conversation(ctx, a, in.ConversationID)
	if err != nil {
		return ReadOutput{}, s.toolError(err)
	}
	msgs, before, err := s.Service.Messages(ctx, a, c.ID, switchboard.MessagePage{Before: in.Before, Limit: pageSize(in.Limit, 50)})
	if err != nil {
		return ReadOutput{}, s.toolError(err)
	}
	if msgs == nil {
		msgs = []*switchboard.Message{}
	}
	return ReadOutput{Conversation: c, Messages: msgs, Before: before}, nil
}

// history reads the conversation-history resource through the same
// service calls as read_conversation; a conversation the token may not
// see is "not found", like a missing one.
func (s *Server) history(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	id, ok := strings.CutPrefix(uri, HistoryURIPrefix)
	if ok {
		id, ok = strings.CutSuffix(id, "/history")
	}
	if id, err := url.PathUnescape(id); err != nil || !ok || !switchboard.ValidID(id) {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	out, err := s.read(ctx, req.Extra, ReadInput{ConversationID: id, Limit: maxPage})
	if err != nil {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "application/json", Text: string(b)}}}, nil
}
