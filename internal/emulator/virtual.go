package emulator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

func virtualNames() []string {
	return []string{
		"Anna Schmidt", "Lukas Müller", "Sophie Weber", "Jonas Fischer", "Marie Becker", "Felix Wagner",
		"Emma Hoffmann", "Paul Schäfer", "Olivia Brown", "James Smith", "Charlotte Jones", "Jürgen Köhler",
		"Mira Okafor", "Leon Richter", "Hannah Klein", "Noah Wolf", "Lena Schröder", "Ben Neumann",
		"Amelia Taylor", "Finn Schwarz", "Mia Zimmermann", "Elias Braun", "Clara Hartmann", "Yusuf Demir",
	}
}

// usernameOnlyEvery makes every usernameOnlyEvery-th virtual customer one
// who shares only a username.
const usernameOnlyEvery = 4

// virtualPeople draws n virtual customers with distinct names (a number is
// added once the list runs out), spread over the business numbers; every
// fourth one shares only a username, as WhatsApp users may since 2026.
func (e *Emulator) virtualPeople(n int) []CustomerMessage {
	names := virtualNames()
	e.chaosRand.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	people := make([]CustomerMessage, n)
	for i := range people {
		name := names[i%len(names)]
		if round := i / len(names); round > 0 {
			name = fmt.Sprintf("%s %d", name, round+1)
		}
		people[i] = CustomerMessage{
			WaID:          fmt.Sprintf("4915%09d", e.chaosRand.IntN(1_000_000_000)),
			Name:          name,
			PhoneNumberID: e.cfg.PhoneNumbers[i%len(e.cfg.PhoneNumbers)].PhoneNumberID,
			UsernameOnly:  i%usernameOnlyEvery == usernameOnlyEvery-1,
		}
	}
	return people
}

func virtualTexts() []string {
	return []string{
		"Hallo, ist meine Bestellung schon unterwegs?",
		"Hi! Do you ship to Austria?",
		"Können Sie mich bitte zurückrufen?",
		"Thanks, that helps a lot 🙏",
		"Wann haben Sie morgen geöffnet?",
		"I'd like to change my delivery address.",
		"Die Rechnung stimmt nicht, bitte prüfen.",
		"Is the blue one still in stock?",
		"Super, danke! 😊",
		"Can I pay by invoice?",
	}
}

func virtualEmojis() []string { return []string{"👍", "❤️", "😂", "🙏", "😮"} }

// StartCustomers lets n random virtual customers (distinct German/English
// names, wa_ids 4915xxxxxxxxx, every fourth one username-only) write in at rate messages per second in total: mostly text,
// some media, replies, reactions and picks of offered buttons. It replaces any
// running set; StopCustomers or Close ends it.
func (e *Emulator) StartCustomers(rate float64, n int) error {
	if rate <= 0 || math.IsInf(rate, 0) || math.IsNaN(rate) || n <= 0 {
		return errors.New("emulator: StartCustomers needs rate > 0 and n > 0")
	}
	e.StopCustomers()
	ctx, cancel := context.WithCancel(e.lifetime)
	e.mu.Lock()
	e.customersOn = cancel
	e.customersRate, e.customersN = rate, n
	people := e.virtualPeople(n)
	e.mu.Unlock()
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		e.runCustomers(ctx, rate, people)
	}()
	return nil
}

// StopCustomers stops the virtual customers started by StartCustomers.
func (e *Emulator) StopCustomers() {
	e.mu.Lock()
	cancel := e.customersOn
	e.customersOn = nil
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// runCustomers uses real time on purpose: it paces a demo, not the emulated clock.
func (e *Emulator) runCustomers(ctx context.Context, rate float64, people []CustomerMessage) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		msg, gap := e.nextVirtualMessage(rate, people)
		if _, err := e.CustomerSend(ctx, msg); err != nil && ctx.Err() == nil {
			e.log.Debug("emulator: virtual customer send failed", "err", err)
		}
		timer.Reset(gap)
	}
}

// nextVirtualMessage draws the next message and the Poisson gap until the one after.
func (e *Emulator) nextVirtualMessage(rate float64, people []CustomerMessage) (CustomerMessage, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.chaosRand
	gap := time.Duration(-math.Log(1-r.Float64()) / rate * float64(time.Second))
	msg := people[r.IntN(len(people))]
	var last *outMsg
	if c := e.customers[msg.WaID]; c != nil {
		last = e.outbound[c.lastB]
	}
	p := r.Float64()
	switch {
	case last != nil && last.Interactive != nil && len(last.Interactive.Options) > 0 && p < 0.5:
		o := last.Interactive.Options[r.IntN(len(last.Interactive.Options))]
		msg.Type, msg.ReplyTo, msg.Text, msg.ReplyID, msg.Description = "interactive", last.ID, o.Title, o.ID, o.Description
		msg.InteractiveType = "button_reply"
		if last.Interactive.Type == "list" {
			msg.InteractiveType = "list_reply"
		}
	case last != nil && last.Template != nil && len(last.Template.Buttons) > 0 && p < 0.4:
		b := last.Template.Buttons[r.IntN(len(last.Template.Buttons))]
		msg.Type, msg.ReplyTo, msg.Text = "button", last.ID, b
	case last != nil && p < 0.10:
		msg.Type, msg.ReactTo, msg.Emoji = "reaction", last.ID, pickOne(r, virtualEmojis())
	case last != nil && p < 0.20:
		msg.Type, msg.ReplyTo, msg.Text = "text", last.ID, pickOne(r, virtualTexts())
	case p < 0.28:
		msg.Type, msg.MimeType = "image", "image/jpeg"
		msg.Media, msg.Text = pickPhoto(r)
	case p < 0.32:
		msg.Type = "voice"
	case p < 0.35:
		msg.Type, msg.Text = "document", "Rechnung"
		msg.Filename = "rechnung.pdf"
	case p < 0.37:
		msg.Type = "location"
		msg.Location = &Location{Latitude: 52.520008, Longitude: 13.404954, Name: "Alexanderplatz", Address: "10178 Berlin"}
	default:
		msg.Type, msg.Text = "text", pickOne(r, virtualTexts())
	}
	return msg, gap
}

func pickOne(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
