// Package realtime fans out domain events to the users allowed to see them,
// live and with replay after reconnects.
//
// A [Hub] keeps the most recent events in a fixed-size ring and a bounded
// queue per [Subscription]. Publishing never waits for a subscriber: one whose
// queue is full is disconnected with [ErrSlowConsumer] and is expected to
// reconnect with the id of the last event it received, so a slow or stalled
// client costs a reconnect, never server memory. [Serve] streams a
// subscription to a browser over a WebSocket.
//
// Event ids are the cursor clients reconnect with. They start at the hub's
// creation time in microseconds since the Unix epoch and grow by one per
// event, so ids from a restarted process are above every id an earlier
// process handed out (unless the clock went backwards, or the earlier process
// published more than one event per microsecond on average); a client that
// presents an id this hub cannot account for receives a
// [switchboard.EventResync] and reloads its state instead of silently missing
// events.
//
// Several instances on one PostgreSQL database share their events through a
// [Relay]: each instance appends what it publishes to the database's log
// ([switchboard.LiveEventLog]) and feeds its hub from the log, so ids are the
// log's positions, the same on every instance, and a reconnect to another
// instance replays from the log what that hub's ring lacks.
package realtime
