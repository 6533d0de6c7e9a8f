package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxNotificationSize is the largest body [ParseNotification] accepts. Meta's
// payloads stay well below 3 MB; the margin keeps legitimate batches safe
// while bounding the work a hostile body can cause.
const MaxNotificationSize = 8 << 20

// MaxNotificationItems bounds the number of entries, changes, contacts,
// messages, statuses and errors in one notification, counted together. The
// arrays are counted before their elements are decoded, so a body of a
// million empty objects fails fast instead of allocating.
const MaxNotificationItems = 1000

// MaxHistoryMessages bounds the messages of history threads in one
// notification. Meta warns that one history webhook can describe thousands
// of messages, so they have their own budget; the body size limit still
// bounds the work.
const MaxHistoryMessages = 50000

// Errors returned by [ParseNotification]; match them with errors.Is.
var (
	ErrMalformedNotification = errors.New("whatsapp: malformed notification")
	ErrWrongObject           = errors.New("whatsapp: notification object is not " + ObjectWhatsAppBusinessAccount)
	ErrTooManyItems          = errors.New("whatsapp: notification has too many items")
	ErrNotificationTooLarge  = errors.New("whatsapp: notification body too large")
)

// ParseNotification decodes a webhook POST body. It rejects bodies that are
// not a single JSON object, whose "object" is not
// "whatsapp_business_account", that exceed [MaxNotificationSize], or that
// hold more than [MaxNotificationItems] items. Unknown JSON fields are
// ignored, and changes of fields other than "messages", "smb_message_echoes"
// and "history" are returned with only RawValue set so callers can skip them. Verify the signature before calling.
func ParseNotification(body []byte) (*Notification, error) {
	if len(body) > MaxNotificationSize {
		return nil, fmt.Errorf("parse notification: %w (%d bytes)", ErrNotificationTooLarge, len(body))
	}
	if !json.Valid(body) {
		// Decode again only to say what is wrong.
		err := json.Unmarshal(body, new(json.RawMessage))
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, fmt.Errorf("parse notification: %w: %w", ErrMalformedNotification, err)
	}
	p := parser{max: MaxNotificationItems}
	n, err := p.notification(body)
	if err != nil {
		return nil, fmt.Errorf("parse notification: %w", err)
	}
	if n.Object != ObjectWhatsAppBusinessAccount {
		return nil, fmt.Errorf("parse notification: %w (got %q)", ErrWrongObject, truncate(n.Object, 64))
	}
	return n, nil
}

// parser walks the notification's structure with a scanner over the
// (already validated) bytes, charging every item to the budget before its
// element is decoded; only the leaves (metadata, contacts, messages,
// statuses, errors) go through encoding/json. Keys match exactly, as in
// Meta's bodies.
type parser struct {
	items int
	max   int
	// history counts the messages of history threads, bounded by
	// MaxHistoryMessages rather than max: Meta sends up to thousands of
	// past messages in one history webhook.
	history int
}

// path names a place in the notification for error messages. It is a
// value, formatted only when an error occurs, so that walking a body does
// not allocate for it; segments past the eighth are left out.
type path struct {
	segs [8]pathSeg
	n    int
}

type pathSeg struct {
	key   []byte
	index int // -1 for an object member
}

func (p path) String() string {
	if p.n == 0 {
		return "notification"
	}
	var b []byte
	for i, s := range p.segs[:p.n] {
		switch {
		case s.index >= 0:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.index), 10)
			b = append(b, ']')
		case i > 0:
			b = append(b, '.')
			fallthrough
		default:
			b = append(b, s.key...)
		}
	}
	return string(b)
}

func (p path) member(key []byte) path {
	if p.n < len(p.segs) {
		p.segs[p.n] = pathSeg{key: key, index: -1}
		p.n++
	}
	return p
}

func (p path) elem(i int) path {
	if p.n < len(p.segs) {
		p.segs[p.n] = pathSeg{index: i}
		p.n++
	}
	return p
}

func (p *parser) take(at path) error {
	p.items++
	if p.items > p.max {
		return fmt.Errorf("%s: %w (limit %d)", at, ErrTooManyItems, p.max)
	}
	return nil
}

func (p *parser) notification(body []byte) (*Notification, error) {
	n := &Notification{}
	sawObject := false
	s := scanner{b: body}
	err := s.object(path{}, func(key []byte, at path) error {
		switch string(key) {
		case "object":
			sawObject = true
			return s.stringInto(at, &n.Object)
		case "entry":
			n.Entry = n.Entry[:0]
			return s.array(at, func(i int, at path) error {
				if err := p.take(at); err != nil {
					return err
				}
				e, err := p.entry(&s, at)
				if err != nil {
					return err
				}
				n.Entry = append(n.Entry, e)
				return nil
			})
		default:
			s.skip()
			return nil
		}
	})
	if err != nil {
		return nil, err
	}
	if !sawObject {
		return nil, fmt.Errorf("%w: missing \"object\"", ErrMalformedNotification)
	}
	return n, nil
}

func (p *parser) entry(s *scanner, at path) (Entry, error) {
	var e Entry
	err := s.object(at, func(key []byte, at path) error {
		switch string(key) {
		case "id":
			return s.stringInto(at, &e.ID)
		case "changes":
			e.Changes = e.Changes[:0]
			return s.array(at, func(i int, at path) error {
				if err := p.take(at); err != nil {
					return err
				}
				c, err := p.change(s, at)
				if err != nil {
					return err
				}
				e.Changes = append(e.Changes, c)
				return nil
			})
		default:
			s.skip()
			return nil
		}
	})
	return e, err
}

func (p *parser) change(s *scanner, at path) (Change, error) {
	var c Change
	var value []byte
	var valueAt path
	err := s.object(at, func(key []byte, at path) error {
		switch string(key) {
		case "field":
			return s.stringInto(at, &c.Field)
		case "value":
			value, valueAt = s.skip(), at
			return nil
		default:
			s.skip()
			return nil
		}
	})
	if err != nil {
		return c, err
	}
	if value != nil {
		c.RawValue = append(json.RawMessage(nil), value...)
	}
	// "value" usually precedes "field" in Meta's bodies, so the value can
	// only be interpreted once the whole change has been read.
	if parsedField(c.Field) && len(value) > 0 && !bytes.Equal(value, []byte("null")) {
		v, err := p.value(value, valueAt)
		if err != nil {
			return c, err
		}
		c.Value = v
	}
	return c, nil
}

func (p *parser) value(raw []byte, at path) (*Value, error) {
	v := &Value{}
	s := scanner{b: raw}
	err := s.object(at, func(key []byte, at path) error {
		switch string(key) {
		case "messaging_product":
			return s.stringInto(at, &v.MessagingProduct)
		case "metadata":
			return decodeInto(at, s.skip(), &v.Metadata)
		case "contacts":
			v.Contacts = v.Contacts[:0]
			return decodeArray(p, &s, at, &v.Contacts)
		case "messages":
			v.Messages = v.Messages[:0]
			return decodeArray(p, &s, at, &v.Messages)
		case "statuses":
			v.Statuses = v.Statuses[:0]
			return decodeArray(p, &s, at, &v.Statuses)
		case "errors":
			v.Errors = v.Errors[:0]
			return decodeArray(p, &s, at, &v.Errors)
		case "message_echoes":
			v.MessageEchoes = v.MessageEchoes[:0]
			return decodeArray(p, &s, at, &v.MessageEchoes)
		case "history":
			v.History = v.History[:0]
			return s.array(at, func(i int, at path) error {
				if err := p.take(at); err != nil {
					return err
				}
				h, err := p.historyChunk(&s, at)
				if err != nil {
					return err
				}
				v.History = append(v.History, h)
				return nil
			})
		default:
			s.skip()
			return nil
		}
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// historyChunk reads one element of a history change: its progress
// metadata, its threads (each thread's messages charged to the history
// budget, apart from the notification's) and its errors.
func (p *parser) historyChunk(s *scanner, at path) (HistoryChunk, error) {
	var h HistoryChunk
	err := s.object(at, func(key []byte, at path) error {
		switch string(key) {
		case "metadata":
			return decodeInto(at, s.skip(), &h.Metadata)
		case "errors":
			return decodeArray(p, s, at, &h.Errors)
		case "threads":
			return s.array(at, func(i int, at path) error {
				if err := p.take(at); err != nil {
					return err
				}
				var t HistoryThread
				err := s.object(at, func(key []byte, at path) error {
					switch string(key) {
					case "id":
						return s.stringInto(at, &t.ID)
					case "messages":
						return s.array(at, func(i int, at path) error {
							p.history++
							if p.history > MaxHistoryMessages {
								return fmt.Errorf("%s: %w (limit %d history messages)", at, ErrTooManyItems, MaxHistoryMessages)
							}
							var m Message
							if err := decodeInto(at, s.skip(), &m); err != nil {
								return err
							}
							t.Messages = append(t.Messages, m)
							return nil
						})
					default:
						s.skip()
						return nil
					}
				})
				if err != nil {
					return err
				}
				h.Threads = append(h.Threads, t)
				return nil
			})
		default:
			s.skip()
			return nil
		}
	})
	return h, err
}

// decodeArray decodes a JSON array into *dst, charging each element to the
// parser's budget before decoding it.
func decodeArray[T any](p *parser, s *scanner, at path, dst *[]T) error {
	return s.array(at, func(i int, at path) error {
		if err := p.take(at); err != nil {
			return err
		}
		var t T
		if err := decodeInto(at, s.skip(), &t); err != nil {
			return err
		}
		*dst = append(*dst, t)
		return nil
	})
}

// decodeInto decodes one valid JSON value. Messages and statuses decode
// themselves (keeping their raw JSON); calling their method directly spares
// encoding/json a second validation of bytes known to be valid.
func decodeInto(at path, raw []byte, v any) error {
	var err error
	switch v := v.(type) {
	case json.Unmarshaler:
		err = v.UnmarshalJSON(raw)
	default:
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrMalformedNotification, at, err)
	}
	return nil
}

// scanner walks valid JSON (checked with json.Valid beforehand), so it only
// has to find where values start and end.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// object reads one JSON object (or null) and calls fn with each key; fn
// must consume exactly the key's value.
func (s *scanner) object(at path, fn func(key []byte, at path) error) error {
	s.ws()
	switch s.b[s.i] {
	case 'n':
		s.i += len("null")
		return nil
	case '{':
	default:
		return fmt.Errorf("%w: %s: want object, got %s", ErrMalformedNotification, at, kind(s.b[s.i]))
	}
	s.i++
	s.ws()
	if s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		key := s.key()
		s.ws()
		s.i++ // ':'
		s.ws()
		if err := fn(key, at.member(key)); err != nil {
			return err
		}
		s.ws()
		if s.b[s.i] == '}' {
			s.i++
			return nil
		}
		s.i++ // ','
	}
}

// array reads one JSON array (or null) and calls fn for each element; fn
// must consume exactly the element.
func (s *scanner) array(at path, fn func(i int, at path) error) error {
	s.ws()
	switch s.b[s.i] {
	case 'n':
		s.i += len("null")
		return nil
	case '[':
	default:
		return fmt.Errorf("%w: %s: want array, got %s", ErrMalformedNotification, at, kind(s.b[s.i]))
	}
	s.i++
	s.ws()
	if s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for i := 0; ; i++ {
		s.ws()
		if err := fn(i, at.elem(i)); err != nil {
			return err
		}
		s.ws()
		if s.b[s.i] == ']' {
			s.i++
			return nil
		}
		s.i++ // ','
	}
}

// key reads an object key and returns it unescaped.
func (s *scanner) key() []byte {
	raw := s.skip()
	inner := raw[1 : len(raw)-1]
	if plain(inner) {
		return inner
	}
	var k string
	_ = json.Unmarshal(raw, &k) // valid JSON string
	return []byte(k)
}

// stringInto decodes the next value into *dst as encoding/json would: a
// string sets it, null leaves it, anything else is malformed.
func (s *scanner) stringInto(at path, dst *string) error {
	raw := s.skip()
	if raw[0] == '"' && plain(raw[1:len(raw)-1]) {
		*dst = string(raw[1 : len(raw)-1])
		return nil
	}
	return decodeInto(at, raw, dst)
}

// plain reports whether the inside of a JSON string decodes to itself:
// no escapes, and valid UTF-8 (encoding/json replaces invalid bytes).
func plain(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= utf8.RuneSelf {
			return utf8.Valid(b) && bytes.IndexByte(b, '\\') < 0
		}
	}
	return true
}

// skip consumes the next value and returns its bytes.
func (s *scanner) skip() []byte {
	s.ws()
	start := s.i
	switch c := s.b[s.i]; c {
	case '"':
		s.i++
		for {
			switch s.b[s.i] {
			case '\\':
				s.i += 2
			case '"':
				s.i++
				return s.b[start:s.i]
			default:
				s.i++
			}
		}
	case '{', '[':
		depth := 0
		for {
			switch s.b[s.i] {
			case '"':
				s.skip()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return s.b[start:s.i]
				}
			}
			s.i++
		}
	default: // number, true, false, null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.b[start:s.i]
			}
			s.i++
		}
		return s.b[start:s.i]
	}
}

func kind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
