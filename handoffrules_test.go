package switchboard

import (
	"testing"
	"time"
)

// weekdayOffice is Monday to Friday 09:00–17:00 in Berlin, closed on
// 2026-12-24.
func weekdayOffice(t *testing.T) (*BusinessHours, *BusinessClock) {
	t.Helper()
	h := &BusinessHours{TimeZone: "Europe/Berlin", Holidays: []string{"2026-12-24"}}
	for d := 0; d < 5; d++ {
		h.Week[d] = []BusinessInterval{{Open: "09:00", Close: "17:00"}}
	}
	c, err := h.Clock()
	if err != nil {
		t.Fatal(err)
	}
	return h, c
}

func TestBusinessClockOpen(t *testing.T) {
	_, c := weekdayOffice(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 12, 2, 9, 0, 0, 0, berlin), true},      // Wednesday, opening minute
		{time.Date(2026, 12, 2, 16, 59, 59, 0, berlin), true},   // last second
		{time.Date(2026, 12, 2, 17, 0, 0, 0, berlin), false},    // closed at 17:00
		{time.Date(2026, 12, 2, 8, 59, 0, 0, berlin), false},    // before opening
		{time.Date(2026, 12, 5, 11, 0, 0, 0, berlin), false},    // Saturday
		{time.Date(2026, 12, 24, 11, 0, 0, 0, berlin), false},   // holiday
		{time.Date(2026, 12, 2, 8, 30, 0, 0, time.UTC), true},   // 09:30 in Berlin
		{time.Date(2026, 12, 2, 16, 30, 0, 0, time.UTC), false}, // 17:30 in Berlin
	} {
		if got := c.Open(tc.at); got != tc.want {
			t.Errorf("Open(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestHandoffRulesValidate(t *testing.T) {
	hours, _ := weekdayOffice(t)
	for _, tc := range []struct {
		name  string
		r     HandoffRules
		hours *BusinessHours
		ok    bool
	}{
		{"default", DefaultHandoffRules, nil, true},
		{"all off", HandoffRules{}, nil, true},
		{"business hours with hours", HandoffRules{BusinessHours: true, BotFailures: 3}, hours, true},
		{"business hours without hours", HandoffRules{BusinessHours: true}, nil, false},
		{"negative failures", HandoffRules{BotFailures: -1}, nil, false},
		{"too many failures", HandoffRules{BotFailures: MaxHandoffBotFailures + 1}, nil, false},
		{"the most failures", HandoffRules{BotFailures: MaxHandoffBotFailures}, nil, true},
	} {
		err := tc.r.Validate(tc.hours)
		if (err == nil) != tc.ok || (err != nil && ErrorCode(err) != EInvalid) {
			t.Errorf("%s: Validate = %v", tc.name, err)
		}
	}
}

func TestHandoffBusinessHoursRule(t *testing.T) {
	_, clock := weekdayOffice(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	open := time.Date(2026, 12, 2, 10, 0, 0, 0, berlin)   // Wednesday 10:00
	closed := time.Date(2026, 12, 2, 20, 0, 0, 0, berlin) // Wednesday 20:00
	on := HandoffRules{BusinessHours: true}
	bot, op := "bot1", "op1"
	human := HandoffState{Handler: HandlerHuman}
	byRule := HandoffState{Handler: HandlerBot, Reason: ReasonOpened, At: closed.Add(-time.Hour)}
	handedBack := HandoffState{Handler: HandlerBot, Reason: ReasonHandedBack, At: open, By: op}
	cases := []struct {
		name        string
		from        HandoffState
		ev          HandoffEvent
		wantHandler Handler
		wantReason  string
	}{
		{"opens during hours: people from the start", human, HandoffEvent{Kind: HandoffOpened, BotAgentID: bot, Rules: on, Hours: clock, At: open}, HandlerHuman, ReasonBusinessHours},
		{"reopens during hours from the bot", byRule, HandoffEvent{Kind: HandoffOpened, BotAgentID: bot, Rules: on, Hours: clock, At: open}, HandlerHuman, ReasonBusinessHours},
		{"opens outside hours: the bot", human, HandoffEvent{Kind: HandoffOpened, BotAgentID: bot, Rules: on, Hours: clock, At: closed}, HandlerBot, ReasonOpened},
		{"opens during hours with the rule off", human, HandoffEvent{Kind: HandoffOpened, BotAgentID: bot, Hours: clock, At: open}, HandlerBot, ReasonOpened},
		{"rule on without hours never applies", human, HandoffEvent{Kind: HandoffOpened, BotAgentID: bot, Rules: on, At: open}, HandlerBot, ReasonOpened},
		{"customer writes when the hours begin", byRule, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "still there?", Rules: on, Hours: clock, At: open}, HandlerHuman, ReasonBusinessHours},
		{"customer writes outside hours: the bot keeps it", byRule, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "still there?", Rules: on, Hours: clock, At: closed}, HandlerBot, ReasonOpened},
		{"asking for a person comes first", byRule, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "a human please", Rules: on, Hours: clock, At: open}, HandlerHuman, ReasonCustomerAsked},
		{"an operator's hand-back is respected", handedBack, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "hello", Rules: on, Hours: clock, At: open}, HandlerBot, ReasonHandedBack},
		{"customer writes to people: nothing changes", human, HandoffEvent{Kind: HandoffCustomerWrote, BotAgentID: bot, Text: "hello", Rules: on, Hours: clock, At: open}, HandlerHuman, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Handoff(c.from, c.ev)
			if err != nil {
				t.Fatal(err)
			}
			if got.Handler != c.wantHandler || got.Reason != c.wantReason {
				t.Fatalf("got %+v, want %s %q", got, c.wantHandler, c.wantReason)
			}
			if got.Reason == ReasonBusinessHours && got.By != "" {
				t.Fatalf("a rule's hand-off has a person: %+v", got)
			}
		})
	}
}

func TestHandoffBotFailuresRule(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	bot, op := "bot1", "op1"
	three := HandoffEvent{Kind: HandoffBotFailed, BotAgentID: bot, Rules: HandoffRules{BotFailures: 3}, At: at}
	st := HandoffState{Handler: HandlerBot, Reason: ReasonOpened, At: at}
	var err error
	for i := 1; i <= 2; i++ {
		if st, err = Handoff(st, three); err != nil {
			t.Fatal(err)
		}
		if st.Handler != HandlerBot || st.BotFailures != i || st.Reason != ReasonOpened {
			t.Fatalf("after failure %d: %+v", i, st)
		}
	}
	if st, err = Handoff(st, three); err != nil {
		t.Fatal(err)
	}
	if st.Handler != HandlerHuman || st.Reason != ReasonBotFailed || st.BotFailures != 0 || st.By != "" {
		t.Fatalf("the third failure: %+v, want people with bot_failed and the count reset", st)
	}
	// A failure while people answer counts nothing.
	if got, _ := Handoff(st, three); got != st {
		t.Fatalf("failure while people answer changed %+v to %+v", st, got)
	}
	// The hand-back starts the count again.
	st, err = Handoff(st, HandoffEvent{Kind: HandoffHandBack, BotAgentID: bot, ActorID: op, At: at})
	if err != nil || st.Handler != HandlerBot || st.BotFailures != 0 {
		t.Fatalf("hand back: %+v, %v", st, err)
	}
	if st, _ = Handoff(st, three); st.BotFailures != 1 || st.Handler != HandlerBot {
		t.Fatalf("first failure after the hand-back: %+v", st)
	}
	// Any change of handler starts it again, so does a new opening.
	if got, _ := Handoff(st, HandoffEvent{Kind: HandoffOpened, BotAgentID: bot, At: at}); got.BotFailures != 0 {
		t.Fatalf("reopened: %+v", got)
	}
	// 0 turns the rule off: failures are counted, nothing else.
	off := three
	off.Rules = HandoffRules{}
	for i := 0; i < MaxHandoffBotFailures+2; i++ {
		st, _ = Handoff(st, off)
	}
	if st.Handler != HandlerBot || st.BotFailures != MaxHandoffBotFailures+3 {
		t.Fatalf("rule off: %+v", st)
	}
}

func TestReportHandoffReasonKeepsRuleReasons(t *testing.T) {
	for _, r := range []string{ReasonBusinessHours, ReasonBotFailed, ReasonCustomerAsked, ReasonOpened} {
		if got := ReportHandoffReason(r); got != r {
			t.Errorf("ReportHandoffReason(%q) = %q", r, got)
		}
	}
	if got := ReportHandoffReason("the customer is angry about order 4711"); got != ReasonOther {
		t.Errorf("a written reason reports as %q, want %q", got, ReasonOther)
	}
}
