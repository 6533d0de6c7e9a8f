package switchboard

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestHandoffTransitions(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	bot, op := "bot1", "op1"
	human := HandoffState{Handler: HandlerHuman}
	botSt := HandoffState{Handler: HandlerBot, Reason: ReasonOpened, At: at}
	cases := []struct {
		name        string
		from        HandoffState
		ev          HandoffEvent
		wantHandler Handler
		wantReason  string
		wantBy      string
	}{
		{"opened on a bot channel", human, HandoffEvent{Kind: HandoffOpened, BotAgentID: bot, At: at}, HandlerBot, ReasonOpened, ""},
		{"opened without a bot", human, HandoffEvent{Kind: HandoffOpened, At: at}, HandlerHuman, "", ""},
		{"reopened after the bot was removed", botSt, HandoffEvent{Kind: HandoffOpened, At: at}, HandlerHuman, ReasonOpened, ""},
		{"zero state is human", HandoffState{}, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "human please"}, HandlerHuman, "", ""},
		{"bot hands off", botSt, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: bot, Reason: " refund ", Summary: "wants money back", At: at}, HandlerHuman, "refund", bot},
		{"operator takes over", botSt, HandoffEvent{Kind: HandoffTakeOver, BotAgentID: bot, ActorID: op, At: at}, HandlerHuman, ReasonTakenOver, op},
		{"operator takes over with a reason", botSt, HandoffEvent{Kind: HandoffTakeOver, BotAgentID: bot, ActorID: op, Reason: "VIP", At: at}, HandlerHuman, "VIP", op},
		{"take over while human changes nothing", human, HandoffEvent{Kind: HandoffTakeOver, BotAgentID: bot, ActorID: op, At: at}, HandlerHuman, "", ""},
		{"person assigned", botSt, HandoffEvent{Kind: HandoffAssigned, BotAgentID: bot, ActorID: op, At: at}, HandlerHuman, ReasonAssigned, op},
		{"person replies", botSt, HandoffEvent{Kind: HandoffPersonReplied, BotAgentID: bot, ActorID: op, At: at}, HandlerHuman, ReasonPersonReplied, op},
		{"person replies on a channel without a bot", human, HandoffEvent{Kind: HandoffPersonReplied, ActorID: op, At: at}, HandlerHuman, "", ""},
		{"bot's own reply keeps the bot", botSt, HandoffEvent{Kind: HandoffPersonReplied, BotAgentID: bot, ActorID: bot, At: at}, HandlerBot, ReasonOpened, ""},
		{"hand back", human, HandoffEvent{Kind: HandoffHandBack, BotAgentID: bot, ActorID: op, At: at}, HandlerBot, ReasonHandedBack, op},
		{"hand back while bot changes nothing", botSt, HandoffEvent{Kind: HandoffHandBack, BotAgentID: bot, ActorID: op, At: at}, HandlerBot, ReasonOpened, ""},
		{"customer asks for a person", botSt, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, ActorID: "x", Text: "Can I talk to a HUMAN?", At: at}, HandlerHuman, ReasonCustomerAsked, ""},
		{"customer asks in Russian", botSt, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "Позовите оператор, пожалуйста", At: at}, HandlerHuman, ReasonCustomerAsked, ""},
		{"customer asks with channel keywords", botSt, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "ich will einen Menschen", Keywords: []string{"menschen"}, At: at}, HandlerHuman, ReasonCustomerAsked, ""},
		{"an ordinary message keeps the bot", botSt, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "humanity is great; where is my order?", At: at}, HandlerBot, ReasonOpened, ""},
		{"customer message while human", human, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "human", At: at}, HandlerHuman, "", ""},
		{"the bot's message failed", botSt, HandoffEvent{Kind: HandoffBotFailed, BotAgentID: bot, ActorID: bot, Rules: DefaultHandoffRules, At: at}, HandlerHuman, ReasonBotFailed, ""},
		{"a failed message while human", human, HandoffEvent{Kind: HandoffBotFailed, BotAgentID: bot, At: at}, HandlerHuman, "", ""},
		{"bot sends while bot", botSt, HandoffEvent{Kind: HandoffBotSends, BotAgentID: bot, ActorID: bot}, HandlerBot, ReasonOpened, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Handoff(c.from, c.ev)
			if err != nil {
				t.Fatal(err)
			}
			if got.Handler != c.wantHandler || got.Reason != c.wantReason || got.By != c.wantBy {
				t.Fatalf("got %+v, want handler %s reason %q by %q", got, c.wantHandler, c.wantReason, c.wantBy)
			}
		})
	}
	got, _ := Handoff(botSt, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: bot, Reason: "r", Summary: "s", At: at})
	if got.Summary != "s" || !got.At.Equal(at) {
		t.Fatalf("hand-off lost its summary or time: %+v", got)
	}
}

func TestHandoffRefusals(t *testing.T) {
	bot, op := "bot1", "op1"
	human := HandoffState{Handler: HandlerHuman, Reason: "r"}
	botSt := HandoffState{Handler: HandlerBot}
	long := strings.Repeat("ä", MaxHandoffSummary+1)
	cases := []struct {
		name string
		from HandoffState
		ev   HandoffEvent
		code string
	}{
		{"bot sends while human", human, HandoffEvent{Kind: HandoffBotSends, BotAgentID: bot, ActorID: bot}, EForbidden},
		{"bot replies while human", human, HandoffEvent{Kind: HandoffPersonReplied, BotAgentID: bot, ActorID: bot}, EForbidden},
		{"another account sends as bot", botSt, HandoffEvent{Kind: HandoffBotSends, BotAgentID: bot, ActorID: "other"}, EForbidden},
		{"bot sends on a channel without a bot", botSt, HandoffEvent{Kind: HandoffBotSends, ActorID: bot}, EForbidden},
		{"bot hands off while human", human, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: bot, Reason: "x"}, EForbidden},
		{"not the bot hands off", botSt, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: op, Reason: "x"}, EForbidden},
		{"hand-off without a reason", botSt, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: bot, Reason: "  "}, EInvalid},
		{"hand-off summary too long", botSt, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: bot, Reason: "x", Summary: long}, EInvalid},
		{"hand-off reason too long", botSt, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: bot, Reason: strings.Repeat("x", MaxHandoffReason+1)}, EInvalid},
		{"hand-off not UTF-8", botSt, HandoffEvent{Kind: HandoffBotHandsOff, BotAgentID: bot, ActorID: bot, Reason: "\xff"}, EInvalid},
		{"take over summary too long", botSt, HandoffEvent{Kind: HandoffTakeOver, BotAgentID: bot, ActorID: op, Summary: long}, EInvalid},
		{"bot takes over", botSt, HandoffEvent{Kind: HandoffTakeOver, BotAgentID: bot, ActorID: bot}, EForbidden},
		{"bot is assigned", botSt, HandoffEvent{Kind: HandoffAssigned, BotAgentID: bot, ActorID: bot}, EForbidden},
		{"hand back without a bot", human, HandoffEvent{Kind: HandoffHandBack, ActorID: op}, EUnprocessable},
		{"bot hands back to itself", human, HandoffEvent{Kind: HandoffHandBack, BotAgentID: bot, ActorID: bot}, EForbidden},
		{"hand back summary too long", human, HandoffEvent{Kind: HandoffHandBack, BotAgentID: bot, ActorID: op, Summary: long}, EInvalid},
		{"unknown event", human, HandoffEvent{Kind: "jump"}, EInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Handoff(c.from, c.ev)
			if ErrorCode(err) != c.code {
				t.Fatalf("error %v, want code %s", err, c.code)
			}
			if got != c.from {
				t.Fatalf("a refused event changed the state: %+v", got)
			}
		})
	}
}

func TestAsksForPerson(t *testing.T) {
	for text, want := range map[string]bool{
		"I want a real person": true, "agent!": true, "людина потрібна": true, "": false,
		"agentur": false, "the humane society": false, "Mitarbeiter bitte": true,
	} {
		if got := AsksForPerson(text, nil); got != want {
			t.Errorf("AsksForPerson(%q) = %v", text, got)
		}
	}
	if AsksForPerson("human", []string{}) {
		t.Error("an empty keyword list matched")
	}
}

func TestMessageAuthor(t *testing.T) {
	cases := []struct {
		m    Message
		bot  bool
		want MessageAuthor
	}{
		{Message{Direction: DirectionIn, Type: TypeText}, false, AuthorCustomer},
		{Message{Direction: DirectionIn, Type: TypeSystem}, false, AuthorSystem},
		{Message{Direction: DirectionOut, Type: TypeText}, false, AuthorSystem},
		{Message{Direction: DirectionOut, Type: TypeText, SenderID: "u"}, false, AuthorUser},
		{Message{Direction: DirectionOut, Type: TypeText, SenderID: "u"}, true, AuthorBot},
		{Message{Direction: DirectionOut, Type: TypeText, Author: AuthorBusinessApp}, false, AuthorBusinessApp},
	}
	for i, c := range cases {
		if got := c.m.DeriveAuthor(c.bot); got != c.want {
			t.Errorf("case %d: %s, want %s", i, got, c.want)
		}
	}
	b, err := json.Marshal(&Message{Direction: DirectionIn, Type: TypeText})
	if err != nil || !strings.Contains(string(b), `"author":"customer"`) {
		t.Fatalf("marshalled %s, %v", b, err)
	}
}

func TestConversationHandlerJSON(t *testing.T) {
	c := &Conversation{ID: "c"}
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), `"handler":"human"`) || !strings.Contains(string(b), `"handoff":null`) {
		t.Fatalf("%s", b)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.SetHandoffState(HandoffState{Handler: HandlerBot, Reason: "opened", At: at})
	if st := c.HandoffState(); st.Handler != HandlerBot || st.Reason != "opened" {
		t.Fatalf("%+v", st)
	}
	b, _ = json.Marshal(c)
	if strings.Count(string(b), `"handler"`) != 1 || !strings.Contains(string(b), `"handler":"bot"`) {
		t.Fatalf("%s", b)
	}
}

func TestSuggestion(t *testing.T) {
	sg := &Suggestion{Text: "  hi  ", Rationale: "r"}
	if err := sg.Validate(); err != nil || sg.Text != "hi" {
		t.Fatal(err, sg.Text)
	}
	for _, bad := range []*Suggestion{{Text: " "}, {Text: strings.Repeat("a", MaxSuggestionText+1)},
		{Text: "a", Rationale: strings.Repeat("a", MaxSuggestionRationale+1)}, {Text: "\xff"}} {
		if ErrorCode(bad.Validate()) != EInvalid {
			t.Errorf("accepted %q", bad.Text)
		}
	}
	sg.State = SuggestionPending
	if err := sg.Decide(SuggestionSent); err != nil {
		t.Fatal(err)
	}
	if ErrorCode(sg.Decide(SuggestionPending)) != EInvalid {
		t.Fatal("pending is no decision")
	}
	sg.State = SuggestionDiscarded
	if ErrorCode(sg.Decide(SuggestionSent)) != EConflict {
		t.Fatal("decided twice")
	}
}
