//go:build tools

// Package tools pins dependencies until the code imports them.
package tools

import (
	_ "github.com/coder/websocket"
	_ "github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/crypto/hkdf"
	_ "golang.org/x/sync/errgroup"
	_ "modernc.org/sqlite"
)
