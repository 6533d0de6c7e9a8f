package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxNotificationSize is the largest body [ParseNotification] accepts. Meta's
// payloads stay well below 3 MB; the margin keeps legitimate batches safe
// while bounding the work a hostile body can cause.
const MaxNotificationSize = 8 << 20

// MaxNotificationItems bounds the number of entries, changes, contacts,
// messages, statuses and errors in one notification, counted together. The
// arrays are streamed and counted before their elements are decoded, so a
// body of a million empty objects fails fast instead of allocating.
const MaxNotificationItems = 1000

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
// ignored, and changes of fields other than "messages" are returned with only
// RawValue set so callers can skip them. Verify the signature before calling.
func ParseNotification(body []byte) (*Notification, error) {
	if len(body) > MaxNotificationSize {
		return nil, fmt.Errorf("parse notification: %w (%d bytes)", ErrNotificationTooLarge, len(body))
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

// parser walks the notification with a streaming decoder so that the item
// budget is enforced before elements are allocated.
type parser struct {
	items int
	max   int
}

func (p *parser) take(path string) error {
	p.items++
	if p.items > p.max {
		return fmt.Errorf("%s: %w (limit %d)", path, ErrTooManyItems, p.max)
	}
	return nil
}

func (p *parser) notification(body []byte) (*Notification, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	n := &Notification{}
	sawObject := false
	err := forEachKey(dec, "notification", func(key string) error {
		switch key {
		case "object":
			sawObject = true
			return decodeInto(dec, "object", &n.Object)
		case "entry":
			n.Entry = n.Entry[:0]
			return forEachElem(dec, "entry", func(i int) error {
				path := fmt.Sprintf("entry[%d]", i)
				if err := p.take(path); err != nil {
					return err
				}
				e, err := p.entry(dec, path)
				if err != nil {
					return err
				}
				n.Entry = append(n.Entry, e)
				return nil
			})
		default:
			return skipValue(dec)
		}
	})
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the top-level object", ErrMalformedNotification)
	}
	if !sawObject {
		return nil, fmt.Errorf("%w: missing \"object\"", ErrMalformedNotification)
	}
	return n, nil
}

func (p *parser) entry(dec *json.Decoder, path string) (Entry, error) {
	var e Entry
	err := forEachKey(dec, path, func(key string) error {
		switch key {
		case "id":
			return decodeInto(dec, path+".id", &e.ID)
		case "changes":
			e.Changes = e.Changes[:0]
			return forEachElem(dec, path+".changes", func(i int) error {
				cpath := fmt.Sprintf("%s.changes[%d]", path, i)
				if err := p.take(cpath); err != nil {
					return err
				}
				c, err := p.change(dec, cpath)
				if err != nil {
					return err
				}
				e.Changes = append(e.Changes, c)
				return nil
			})
		default:
			return skipValue(dec)
		}
	})
	return e, err
}

func (p *parser) change(dec *json.Decoder, path string) (Change, error) {
	var c Change
	err := forEachKey(dec, path, func(key string) error {
		switch key {
		case "field":
			return decodeInto(dec, path+".field", &c.Field)
		case "value":
			return decodeInto(dec, path+".value", &c.RawValue)
		default:
			return skipValue(dec)
		}
	})
	if err != nil {
		return c, err
	}
	// "value" usually precedes "field" in Meta's bodies, so the value can
	// only be interpreted once the whole change has been read.
	if c.Field == FieldMessages && len(c.RawValue) > 0 && !bytes.Equal(c.RawValue, []byte("null")) {
		v, err := p.value(c.RawValue, path+".value")
		if err != nil {
			return c, err
		}
		c.Value = v
	}
	return c, nil
}

func (p *parser) value(raw []byte, path string) (*Value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	v := &Value{}
	err := forEachKey(dec, path, func(key string) error {
		switch key {
		case "messaging_product":
			return decodeInto(dec, path+"."+key, &v.MessagingProduct)
		case "metadata":
			return decodeInto(dec, path+"."+key, &v.Metadata)
		case "contacts":
			v.Contacts = v.Contacts[:0]
			return decodeArray(p, dec, path+"."+key, &v.Contacts)
		case "messages":
			v.Messages = v.Messages[:0]
			return decodeArray(p, dec, path+"."+key, &v.Messages)
		case "statuses":
			v.Statuses = v.Statuses[:0]
			return decodeArray(p, dec, path+"."+key, &v.Statuses)
		case "errors":
			v.Errors = v.Errors[:0]
			return decodeArray(p, dec, path+"."+key, &v.Errors)
		default:
			return skipValue(dec)
		}
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// decodeArray streams a JSON array into *dst, charging each element to the
// parser's budget before decoding it.
func decodeArray[T any](p *parser, dec *json.Decoder, path string, dst *[]T) error {
	return forEachElem(dec, path, func(i int) error {
		epath := fmt.Sprintf("%s[%d]", path, i)
		if err := p.take(epath); err != nil {
			return err
		}
		var t T
		if err := decodeInto(dec, epath, &t); err != nil {
			return err
		}
		*dst = append(*dst, t)
		return nil
	})
}

// forEachKey reads one JSON object (or null) and calls fn with each key; fn
// must consume exactly the key's value.
func forEachKey(dec *json.Decoder, path string, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr(path, err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%w: %s: want object, got %s", ErrMalformedNotification, path, tokenKind(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxErr(path, err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%w: %s: object key is not a string", ErrMalformedNotification, path)
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxErr(path, err)
	}
	return nil
}

// forEachElem reads one JSON array (or null) and calls fn for each element;
// fn must consume exactly the element.
func forEachElem(dec *json.Decoder, path string, fn func(i int) error) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr(path, err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%w: %s: want array, got %s", ErrMalformedNotification, path, tokenKind(tok))
	}
	for i := 0; dec.More(); i++ {
		if err := fn(i); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxErr(path, err)
	}
	return nil
}

func decodeInto(dec *json.Decoder, path string, v any) error {
	if err := dec.Decode(v); err != nil {
		return syntaxErr(path, err)
	}
	return nil
}

func skipValue(dec *json.Decoder) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return syntaxErr("value", err)
	}
	return nil
}

func syntaxErr(path string, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %s: %w", ErrMalformedNotification, path, err)
}

func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return string(t)
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return "token"
}
