package dump

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// TimeFormat is how times appear in JSON lines: RFC 3339 in UTC with exactly
// six fractional digits, the precision both stores keep.
const TimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// AppendRow appends row as one line of JSON (an array in column order,
// ending in a newline) to b. Bytes are standard base64, times use
// TimeFormat. It fails if a value does not fit its column.
func AppendRow(b []byte, t *Table, row []any) ([]byte, error) {
	if len(row) != len(t.Columns) {
		return b, fmt.Errorf("%w: table %s has %d columns, row has %d", ErrValue, t.Name, len(t.Columns), len(row))
	}
	b = append(b, '[')
	for i, v := range row {
		if i > 0 {
			b = append(b, ',')
		}
		c := t.Columns[i]
		if err := Check(c, v); err != nil {
			return b, fmt.Errorf("table %s: %w", t.Name, err)
		}
		switch v := v.(type) {
		case nil:
			b = append(b, "null"...)
		case string:
			b = appendString(b, v)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case time.Time:
			b = append(b, '"')
			b = v.UTC().Truncate(time.Microsecond).AppendFormat(b, TimeFormat)
			b = append(b, '"')
		case []byte:
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, v)
			b = append(b, '"')
		}
	}
	return append(b, ']', '\n'), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as with encoding/json; neither store holds such text.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// ErrSyntax reports a line that is not a row written by AppendRow.
var ErrSyntax = errors.New("dump: malformed row")

// ParseRow parses one line written by AppendRow (without its newline) into
// values of the table's kinds. row is reused when it has room.
func ParseRow(line []byte, t *Table, row []any) ([]any, error) {
	row = row[:0]
	p := parser{b: line}
	if !p.consume('[') {
		return nil, p.fail("expected [")
	}
	for i, c := range t.Columns {
		if i > 0 && !p.consume(',') {
			return nil, p.fail("expected ,")
		}
		v, err := p.value(c)
		if err != nil {
			return nil, fmt.Errorf("table %s column %s: %w", t.Name, c.Name, err)
		}
		row = append(row, v)
	}
	if !p.consume(']') || p.i != len(p.b) {
		return nil, p.fail(fmt.Sprintf("expected ] after %d columns", len(t.Columns)))
	}
	return row, nil
}

type parser struct {
	b []byte
	i int
}

func (p *parser) fail(msg string) error {
	return fmt.Errorf("%w at byte %d: %s", ErrSyntax, p.i, msg)
}

func (p *parser) consume(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) literal(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

func (p *parser) value(c Column) (any, error) {
	if p.literal("null") {
		if !c.Null {
			return nil, p.fail("NULL in a NOT NULL column")
		}
		return nil, nil
	}
	switch c.Kind {
	case Bool:
		if p.literal("true") {
			return true, nil
		} else if p.literal("false") {
			return false, nil
		}
		return nil, p.fail("expected true or false")
	case Int:
		start := p.i
		if p.i < len(p.b) && p.b[p.i] == '-' {
			p.i++
		}
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		n, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
		if err != nil {
			return nil, p.fail("expected an integer")
		}
		return n, nil
	case Text:
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return string(s), nil
	case Time:
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339Nano, string(s))
		if err != nil {
			return nil, p.fail("expected an RFC 3339 time")
		}
		return t.UTC(), nil
	case Bytes:
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(out, s)
		if err != nil {
			return nil, p.fail("expected base64")
		}
		return out[:n], nil
	}
	return nil, p.fail("unknown kind " + string(c.Kind))
}

// str reads a JSON string and returns its unescaped bytes.
func (p *parser) str() ([]byte, error) {
	if !p.consume('"') {
		return nil, p.fail("expected a string")
	}
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return nil, p.fail("control character in string")
		}
		p.i++
	}
	return nil, p.fail("unterminated string")
}

func (p *parser) escaped(start int) ([]byte, error) {
	out := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return out, nil
		case c < 0x20:
			return nil, p.fail("control character in string")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.b) {
			break
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, p.fail("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				if p.literal(`\u`) {
					if r2, ok := p.hex4(); ok {
						r = utf16.DecodeRune(r, r2)
					} else {
						return nil, p.fail("bad \\u escape")
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, p.fail("bad escape")
		}
	}
	return nil, p.fail("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}
