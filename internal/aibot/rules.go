package aibot

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultSystemPrompt is used when no system prompt file is configured.
const DefaultSystemPrompt = `You are the customer service assistant of this business on WhatsApp.
Answer the customer's last message briefly, politely and in the customer's language,
using only the knowledge below and the conversation. Do not invent facts, prices or promises.
If you cannot answer from the knowledge, if the customer is upset, or if the matter needs a person
(complaints, refunds, account changes, anything legal or medical), ask for a hand-off.`

// answerFormat tells the model how to answer; it is always appended to
// the system prompt, so an operator's prompt cannot break the bot.
const answerFormat = `Answer with a JSON object only, no other text:
{"reply": "the message to the customer", "confidence": a number from 0 to 1 saying how sure you are that the reply is right and complete,
 "handoff": true if a person should take over instead of you, "reason": "why, in a few words", "summary": "one or two sentences summarising the conversation for a colleague"}`

// answer is the model's parsed answer.
type answer struct {
	Reply string
	// Confidence is 0..1, or -1 when the model gave none (a plain-text
	// answer).
	Confidence float64
	Handoff    bool
	Reason     string
	Summary    string
}

// parseAnswer reads the model's answer: the JSON object asked for,
// possibly inside a Markdown code fence, or else plain text taken as the
// reply with unknown confidence.
func parseAnswer(s string) answer {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "```") {
		t = strings.TrimPrefix(t, "```json")
		t = strings.TrimPrefix(t, "```")
		t = strings.TrimSuffix(strings.TrimSpace(t), "```")
		t = strings.TrimSpace(t)
	}
	var raw struct {
		Reply      *string  `json:"reply"`
		Confidence *float64 `json:"confidence"`
		Handoff    any      `json:"handoff"`
		Reason     string   `json:"reason"`
		Summary    string   `json:"summary"`
	}
	if strings.HasPrefix(t, "{") && json.Unmarshal([]byte(t), &raw) == nil && (raw.Reply != nil || raw.Handoff != nil) {
		a := answer{Confidence: -1, Reason: strings.TrimSpace(raw.Reason), Summary: strings.TrimSpace(raw.Summary)}
		if raw.Reply != nil {
			a.Reply = strings.TrimSpace(*raw.Reply)
		}
		if raw.Confidence != nil {
			a.Confidence = min(max(*raw.Confidence, 0), 1)
		}
		switch h := raw.Handoff.(type) {
		case bool:
			a.Handoff = h
		case string:
			a.Handoff = strings.EqualFold(h, "true") || strings.EqualFold(h, "yes")
		}
		return a
	}
	return answer{Reply: strings.TrimSpace(s), Confidence: -1}
}

// personWords are words with which customers ask for a person, in the
// languages of the web app and a few more. A customer's word matches when
// it equals one of them; stems (below) match words that start with them,
// for languages that inflect heavily.
var personWords = map[string]bool{
	// English
	"human": true, "humans": true, "person": true, "agent": true, "operator": true,
	"representative": true,
	// German
	"mensch": true, "menschen": true, "mitarbeiter": true, "mitarbeiterin": true,
	"mitarbeitende": true, "menschlichen": true, "berater": true, "beraterin": true,
	// French, Spanish, Italian, Portuguese, Dutch, Polish, Turkish
	"humain": true, "conseiller": true, "humano": true, "asesor": true,
	"operatore": true, "pessoa": true, "atendente": true, "medewerker": true,
	"konsultant": true, "człowiek": true, "temsilci": true, "insan": true,
}

var personStems = []string{
	// Russian
	"оператор", "человек", "сотрудник", "менеджер", "консультант", "живым", "живого",
	// Ukrainian
	"людин", "співробітник", "працівник",
}

// asksForPerson reports whether a customer's text asks for a person.
func asksForPerson(text string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	for _, w := range words {
		if personWords[w] {
			return true
		}
		for _, s := range personStems {
			if strings.HasPrefix(w, s) {
				return true
			}
		}
	}
	return false
}

// historyText is how a message appears to the model.
func historyText(m message) string {
	t := m.Content.Text
	switch {
	case m.Type == "text":
	case m.Type == "template" && m.Content.Template != nil:
		t = fmt.Sprintf("[template %s]", m.Content.Template.Name)
	case m.Content.Interactive != nil && m.Content.Interactive.Title != "":
		t = m.Content.Interactive.Title
	case t != "":
		t = fmt.Sprintf("[%s] %s", m.Type, t)
	default:
		t = fmt.Sprintf("[%s]", m.Type)
	}
	return truncate(t, MaxMessageChars)
}

// truncate cuts s to at most n characters, the last of them "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// buildMessages makes the chat-completions messages: the system prompt
// with the knowledge and the answer format, then the history (given newest
// first) oldest first, customer messages as user, the business's as
// assistant.
func buildMessages(system, knowledge string, history []message) []chatMessage {
	var sb strings.Builder
	sb.WriteString(strings.TrimSpace(system))
	if k := strings.TrimSpace(knowledge); k != "" {
		sb.WriteString("\n\nKnowledge:\n")
		sb.WriteString(k)
	}
	sb.WriteString("\n\n")
	sb.WriteString(answerFormat)
	out := []chatMessage{{Role: "system", Content: sb.String()}}
	for i := len(history) - 1; i >= 0; i-- {
		m := history[i]
		if m.Type == "system" {
			continue // Switchboard's own notes, not part of the dialogue
		}
		role := "assistant"
		if m.Direction == "in" {
			role = "user"
		}
		out = append(out, chatMessage{Role: role, Content: historyText(m)})
	}
	return out
}
