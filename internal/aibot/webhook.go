package aibot

import "context"

func (b *Bot) serveWebhooks(ctx context.Context) error { <-ctx.Done(); return nil }
