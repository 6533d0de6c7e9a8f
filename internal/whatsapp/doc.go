// Package whatsapp speaks Meta's WhatsApp Cloud API: webhook payloads and
// signatures, and the Graph API client.
//
// The package has no dependency on the rest of Switchboard so that the
// receiver, the workers and the emulator can share one description of the
// wire format. It returns errors instead of logging, keeps no package-level
// state, and is safe for concurrent use.
//
// Webhooks: [VerifyChallenge] answers the subscription handshake,
// [VerifySignature] checks X-Hub-Signature-256 over the raw body, and
// [ParseNotification] turns the body into a [Notification] while keeping the
// raw JSON of every message and status so that nothing Meta adds is lost.
//
// Sending: [Client] wraps the Graph API endpoints the inbox needs, returns
// [*APIError] for Meta's error objects, and [Classify] tells a caller whether
// an error may be retried, must not be retried, or left the outcome unknown.
package whatsapp
