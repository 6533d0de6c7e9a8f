package worker

import (
	"context"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// Blocks blocks and unblocks customers through the channel's Graph client
// (inbox.Blocker).
type Blocks struct {
	Client func(ch *switchboard.Channel) *whatsapp.Client
}

// Block blocks user (a phone number) on the channel's number.
func (b *Blocks) Block(ctx context.Context, ch *switchboard.Channel, user string) error {
	_, err := b.Client(ch).BlockUsers(ctx, ch.AccessToken, ch.PhoneNumberID, user)
	return err
}

// Unblock lifts the block.
func (b *Blocks) Unblock(ctx context.Context, ch *switchboard.Channel, user string) error {
	_, err := b.Client(ch).UnblockUsers(ctx, ch.AccessToken, ch.PhoneNumberID, user)
	return err
}
