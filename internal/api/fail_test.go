package api

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

// TestConnectionLost: a request whose database connection broke under it
// (seen right after an outage, while the pool still holds dead
// connections) is told apart from errors the database or code answered.
func TestConnectionLost(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("get session: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("list: %w", &net.OpError{Op: "read", Err: syscall.ECONNRESET}), true},
		{fmt.Errorf("write: %w", syscall.EPIPE), true},
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{fmt.Errorf("query: %w", net.ErrClosed), true},
		{errors.New("duplicate key value violates unique constraint"), false},
		{io.EOF, false},
	} {
		if got := connectionLost(tt.err); got != tt.want {
			t.Errorf("connectionLost(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
