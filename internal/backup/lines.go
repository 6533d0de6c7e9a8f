package backup

import (
	"bufio"
	"errors"
	"io"
)

// lineReader reads newline-terminated lines of any length.
type lineReader struct {
	br   *bufio.Reader
	long []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10)}
}

// errNoNewline reports a last line without its newline: a row cut short.
var errNoNewline = errors.New("the last row has no line end")

// line returns the next line without its newline, valid until the next
// call; io.EOF after the last one.
func (l *lineReader) line() ([]byte, error) {
	l.long = l.long[:0]
	for {
		b, err := l.br.ReadSlice('\n')
		switch {
		case err == nil:
			if len(l.long) > 0 {
				l.long = append(l.long, b[:len(b)-1]...)
				return l.long, nil
			}
			return b[:len(b)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.long = append(l.long, b...)
		case err == io.EOF:
			if len(b) == 0 && len(l.long) == 0 {
				return nil, io.EOF
			}
			return nil, errNoNewline
		default:
			return nil, err
		}
	}
}
