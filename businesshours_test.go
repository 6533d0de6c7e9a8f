package switchboard

import (
	"strings"
	"testing"
	"time"
)

func officeHours() BusinessHours {
	weekday := []BusinessInterval{{Open: "09:00", Close: "12:00"}, {Open: "13:00", Close: "17:00"}}
	return BusinessHours{
		TimeZone: "Europe/Berlin",
		Week:     [7][]BusinessInterval{weekday, weekday, weekday, weekday, weekday, nil, nil},
		Holidays: []string{"2026-12-25"},
	}
}

func TestBusinessHoursValidate(t *testing.T) {
	ok := officeHours()
	if err := ok.Validate(); err != nil {
		t.Fatalf("office hours: %v", err)
	}
	allDay := BusinessHours{TimeZone: "UTC", Week: [7][]BusinessInterval{{{Open: "00:00", Close: "24:00"}}}}
	if err := allDay.Validate(); err != nil {
		t.Fatalf("00:00-24:00: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(b *BusinessHours)
		want string
	}{
		{"no zone", func(b *BusinessHours) { b.TimeZone = "" }, "time zone"},
		{"Local", func(b *BusinessHours) { b.TimeZone = "Local" }, "time zone"},
		{"unknown zone", func(b *BusinessHours) { b.TimeZone = "Mars/Olympus" }, "Unknown time zone"},
		{"bad time", func(b *BusinessHours) { b.Week[0] = []BusinessInterval{{Open: "9:00", Close: "17:00"}} }, "09:00"},
		{"minutes", func(b *BusinessHours) { b.Week[0] = []BusinessInterval{{Open: "09:60", Close: "17:00"}} }, "09:00"},
		{"past midnight", func(b *BusinessHours) { b.Week[0] = []BusinessInterval{{Open: "09:00", Close: "24:30"}} }, "09:00"},
		{"backwards", func(b *BusinessHours) { b.Week[2] = []BusinessInterval{{Open: "17:00", Close: "09:00"}} }, "Wednesday"},
		{"empty", func(b *BusinessHours) { b.Week[2] = []BusinessInterval{{Open: "09:00", Close: "09:00"}} }, "closes before it opens"},
		{"overlap", func(b *BusinessHours) {
			b.Week[4] = []BusinessInterval{{Open: "13:00", Close: "17:00"}, {Open: "09:00", Close: "13:30"}}
		}, "overlap"},
		{"too many", func(b *BusinessHours) {
			b.Week[0] = []BusinessInterval{{"01:00", "02:00"}, {"03:00", "04:00"}, {"05:00", "06:00"}, {"07:00", "08:00"}, {"09:00", "10:00"}}
		}, "at most 4"},
		{"holiday", func(b *BusinessHours) { b.Holidays = []string{"24.12.2026"} }, "2026-12-24"},
		{"holidays", func(b *BusinessHours) { b.Holidays = make([]string, MaxHolidays+1) }, "At most"},
		{"never open", func(b *BusinessHours) { b.Week = [7][]BusinessInterval{} }, "at least one opening interval"},
	} {
		b := officeHours()
		b.Week[0] = append([]BusinessInterval(nil), b.Week[0]...)
		tc.edit(&b)
		err := b.Validate()
		if err == nil || ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), tc.want) {
			t.Errorf("%s: got %v, want EInvalid with %q", tc.name, err, tc.want)
		}
	}
}

func TestBusinessClockBetween(t *testing.T) {
	b := officeHours()
	c, err := b.Clock()
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-12-01 10:00", "2026-12-01 10:30", 30 * time.Minute},             // Tuesday, inside
		{"2026-12-01 11:30", "2026-12-01 13:30", time.Hour},                    // across lunch
		{"2026-12-01 07:00", "2026-12-01 08:00", 0},                            // before opening
		{"2026-12-01 18:00", "2026-12-02 09:15", 15 * time.Minute},             // evening to next morning
		{"2026-12-04 16:30", "2026-12-07 09:30", time.Hour},                    // Friday evening to Monday
		{"2026-12-05 10:00", "2026-12-06 18:00", 0},                            // a weekend
		{"2026-12-24 16:00", "2026-12-28 09:00", time.Hour},                    // Christmas Day closed
		{"2026-11-30 00:00", "2026-12-07 00:00", 35 * time.Hour},               // one whole week
		{"2026-11-02 00:00", "2026-12-07 00:00", 5 * 35 * time.Hour},           // five weeks
		{"2026-12-21 08:00", "2027-01-04 08:00", 2*35*time.Hour - 7*time.Hour}, // two weeks with Christmas
		{"2026-12-01 10:00", "2026-12-01 10:00", 0},
		{"2026-12-01 11:00", "2026-12-01 10:00", 0},
	} {
		if got := c.Between(at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	// The same instants in another zone give the same answer.
	if got := c.Between(at("2026-12-04 16:30").UTC(), at("2026-12-07 09:30").UTC()); got != time.Hour {
		t.Errorf("UTC instants: %v", got)
	}
}

func TestBusinessClockDaylightSaving(t *testing.T) {
	// Open round the clock: business time is then the elapsed time, also
	// across the change to summer time (a 23-hour Sunday) and back.
	all := []BusinessInterval{{Open: "00:00", Close: "24:00"}}
	b := BusinessHours{TimeZone: "Europe/Berlin", Week: [7][]BusinessInterval{all, all, all, all, all, all, all}}
	c, err := b.Clock()
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, span := range [][2]time.Time{
		{time.Date(2026, 3, 23, 0, 0, 0, 0, berlin).AddDate(0, 0, -14), time.Date(2026, 4, 6, 0, 0, 0, 0, berlin)},
		{time.Date(2026, 10, 20, 5, 0, 0, 0, berlin), time.Date(2026, 11, 3, 7, 0, 0, 0, berlin)},
	} {
		if got, want := c.Between(span[0], span[1]), span[1].Sub(span[0]); got != want {
			t.Errorf("%v → %v: %v, want the elapsed %v", span[0], span[1], got, want)
		}
	}
}

func TestBusinessHoursNormalize(t *testing.T) {
	b := officeHours()
	b.Week[0] = []BusinessInterval{{Open: "13:00", Close: "17:00"}, {Open: "09:00", Close: "12:00"}}
	b.Holidays = []string{"2026-12-26", "2026-12-25", "2026-12-26"}
	b.Normalize()
	if b.Week[0][0].Open != "09:00" || strings.Join(b.Holidays, ",") != "2026-12-25,2026-12-26" || b.Week[5] == nil {
		t.Errorf("normalized: %+v", b)
	}
}

// TestAwayMessageDue: the away message answers a customer's message
// outside the hours on a channel with a text and hours, in a conversation
// people answer; nothing else.
func TestAwayMessageDue(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	hours := officeHours()
	ch := &Channel{AwayMessage: "Closed.", BusinessHours: &hours}
	people := &Conversation{Handler: HandlerHuman}
	msg := func(typ MessageType, at time.Time) InboundMessage {
		return InboundMessage{Message: &Message{Type: typ, Timestamp: at}}
	}
	night := time.Date(2026, 12, 2, 22, 0, 0, 0, berlin) // Wednesday
	lunch := time.Date(2026, 12, 2, 12, 30, 0, 0, berlin)
	day := time.Date(2026, 12, 2, 10, 0, 0, 0, berlin)
	holiday := time.Date(2026, 12, 25, 10, 0, 0, 0, berlin)
	echo := msg(TypeText, night)
	echo.Message.Author = AuthorBusinessApp
	cases := []struct {
		name string
		ch   *Channel
		c    *Conversation
		in   InboundMessage
		want bool
	}{
		{"night", ch, people, msg(TypeText, night), true},
		{"lunch break", ch, people, msg(TypeImage, lunch), true},
		{"holiday", ch, people, msg(TypeText, holiday), true},
		{"open", ch, people, msg(TypeText, day), false},
		{"no text", &Channel{BusinessHours: &hours}, people, msg(TypeText, night), false},
		{"no hours", &Channel{AwayMessage: "Closed."}, people, msg(TypeText, night), false},
		{"bot handles", ch, &Conversation{Handler: HandlerBot}, msg(TypeText, night), false},
		{"echo", ch, people, echo, false},
		{"reaction", ch, people, msg(TypeReaction, night), false},
		{"request_welcome", ch, people, msg(TypeRequestWelcome, night), false},
		{"system", ch, people, msg(TypeSystem, night), false},
	}
	for _, tc := range cases {
		if got := AwayMessageDue(tc.ch, tc.c, tc.in); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
