package inbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/switchboardhq/switchboard"
)

// Passkeys (WebAuthn) as a second factor, beside TOTP: a user registers
// passkeys under My account and signs in with password, then a passkey.
// The ceremonies' state (challenge, allowed credentials) stays on the
// server with an expiry; the client only ever gets a reference to it.
// The design is in docs/security.md.

const (
	// passkeyTTL is how long a registration or assertion may take.
	passkeyTTL = challengeTTL
	// maxPasskeyCredentialJSON bounds the browser's response.
	maxPasskeyCredentialJSON = 64 << 10
)

// ErrPasskeysOff explains why the passkey endpoints refuse.
func errPasskeysOff() error {
	return switchboard.Errorf(switchboard.EConflict,
		"Passkeys need SWITCHBOARD_PUBLIC_URL to be https (or http://localhost).")
}

// Passkeys is the WebAuthn relying party. Build it with [NewPasskeys].
type Passkeys struct {
	rp     *webauthn.WebAuthn
	RPID   string
	Origin string
}

// NewPasskeys returns the relying party for publicURL, or an error saying
// why passkeys are off: WebAuthn needs a secure context, so the URL must be
// https with a domain name (not an IP address), or http://localhost. The
// relying party id is the host name.
func NewPasskeys(publicURL string) (*Passkeys, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("public URL %q is not an absolute URL", publicURL)
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme == "http" && host == "localhost":
	case u.Scheme == "https" && net.ParseIP(host) == nil && host != "":
	default:
		return nil, fmt.Errorf("passkeys need an https public URL with a domain name (or http://localhost), not %q", publicURL)
	}
	origin := u.Scheme + "://" + strings.ToLower(u.Host)
	rp, err := webauthn.New(&webauthn.Config{
		RPID: host, RPDisplayName: twoFactorIssuer, RPOrigins: []string{origin},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: passkeyTTL, TimeoutUVD: passkeyTTL},
			Registration: webauthn.TimeoutConfig{Timeout: passkeyTTL, TimeoutUVD: passkeyTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return &Passkeys{rp: rp, RPID: host, Origin: origin}, nil
}

// registrationKey is the key of the user's pending passkey registration:
// one at a time, bound to the user, finished from their own session.
func registrationKey(userID string) string { return "passkey-registration:" + userID }

// webauthnUser adapts a user and their passkeys to the library. The user
// handle is the user id.
type webauthnUser struct {
	u    *switchboard.User
	keys []*switchboard.Passkey
}

func (w *webauthnUser) WebAuthnID() []byte          { return []byte(w.u.ID) }
func (w *webauthnUser) WebAuthnName() string        { return w.u.Login }
func (w *webauthnUser) WebAuthnDisplayName() string { return w.u.Name }
func (w *webauthnUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(w.keys))
	for i, k := range w.keys {
		out[i] = credentialOf(k)
	}
	return out
}

func credentialOf(k *switchboard.Passkey) webauthn.Credential {
	c := webauthn.Credential{
		ID: k.CredentialID, PublicKey: k.PublicKey, AttestationFormat: "none", AttestationType: "none",
		Flags:         webauthn.CredentialFlags{UserPresent: true, BackupEligible: k.BackupEligible, BackupState: k.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount},
	}
	for _, t := range k.Transports {
		c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
	}
	return c
}

// PasskeyDescriptor names a credential (PublicKeyCredentialDescriptorJSON).
type PasskeyDescriptor struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"` // base64url
	Transports []string `json:"transports,omitempty"`
}

// PasskeyCreationOptions is what the browser passes to
// navigator.credentials.create (PublicKeyCredentialCreationOptionsJSON of
// WebAuthn Level 3: binary values are base64url).
type PasskeyCreationOptions struct {
	RP struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"rp"`
	User struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"user"`
	Challenge        string `json:"challenge"`
	PubKeyCredParams []struct {
		Type string `json:"type"`
		Alg  int64  `json:"alg"`
	} `json:"pubKeyCredParams"`
	Timeout                int                 `json:"timeout"`
	ExcludeCredentials     []PasskeyDescriptor `json:"excludeCredentials"`
	AuthenticatorSelection struct {
		ResidentKey      string `json:"residentKey"`
		UserVerification string `json:"userVerification"`
	} `json:"authenticatorSelection"`
	Attestation string `json:"attestation"`
}

// PasskeyRequestOptions is what the browser passes to
// navigator.credentials.get (PublicKeyCredentialRequestOptionsJSON).
type PasskeyRequestOptions struct {
	Challenge        string              `json:"challenge"`
	Timeout          int                 `json:"timeout"`
	RPID             string              `json:"rpId"`
	AllowCredentials []PasskeyDescriptor `json:"allowCredentials"`
	UserVerification string              `json:"userVerification"`
}

func descriptors(keys []*switchboard.Passkey) []PasskeyDescriptor {
	out := make([]PasskeyDescriptor, len(keys))
	for i, k := range keys {
		out[i] = PasskeyDescriptor{Type: "public-key", ID: base64.RawURLEncoding.EncodeToString(k.CredentialID), Transports: k.Transports}
	}
	return out
}

// PasskeyView is a passkey as its owner sees it.
type PasskeyView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func viewPasskey(k *switchboard.Passkey) PasskeyView {
	v := PasskeyView{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt}
	if !k.LastUsedAt.IsZero() {
		t := k.LastUsedAt
		v.LastUsedAt = &t
	}
	return v
}

// PasskeyList is the actor's passkeys and whether passkeys can be used at
// all on this installation.
type PasskeyList struct {
	Available bool          `json:"available"`
	RPID      string        `json:"rp_id,omitempty"`
	Passkeys  []PasskeyView `json:"passkeys"`
}

// ListPasskeys returns the actor's own passkeys.
func (s *Service) ListPasskeys(ctx context.Context, a *switchboard.Actor) (*PasskeyList, error) {
	if err := sessionOnly(a); err != nil {
		return nil, err
	}
	keys, err := s.Store.Passkeys(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	out := &PasskeyList{Available: s.Passkeys != nil, Passkeys: make([]PasskeyView, len(keys))}
	if s.Passkeys != nil {
		out.RPID = s.Passkeys.RPID
	}
	for i, k := range keys {
		out.Passkeys[i] = viewPasskey(k)
	}
	return out, nil
}

// BeginPasskeyRegistration starts registering a passkey for the actor and
// returns the options for navigator.credentials.create. A new start
// replaces an unfinished one.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, a *switchboard.Actor) (*PasskeyCreationOptions, error) {
	if err := sessionOnly(a); err != nil {
		return nil, err
	}
	if s.Passkeys == nil {
		return nil, errPasskeysOff()
	}
	keys, err := s.Store.Passkeys(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	if len(keys) >= switchboard.MaxPasskeysPerUser {
		return nil, switchboard.Errorf(switchboard.EInvalid, "You have %d passkeys, the most allowed. Delete one first.", len(keys))
	}
	excl := make([]protocol.CredentialDescriptor, len(keys))
	for i, k := range keys {
		c := credentialOf(k)
		excl[i] = c.Descriptor()
	}
	creation, sess, err := s.Passkeys.rp.BeginRegistration(&webauthnUser{u: a.User, keys: keys}, webauthn.WithExclusions(excl))
	if err != nil {
		return nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	state, err := json.Marshal(sess)
	if err != nil {
		return nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	now := s.now()
	if err := s.Store.PutAuthChallenge(ctx, &switchboard.AuthChallenge{Key: registrationKey(a.User.ID), UserID: a.User.ID,
		ExpiresAt: now.Add(passkeyTTL), State: state}); err != nil {
		return nil, err
	}
	r := creation.Response
	o := &PasskeyCreationOptions{Challenge: r.Challenge.String(), Timeout: r.Timeout, Attestation: string(r.Attestation),
		ExcludeCredentials: descriptors(keys)}
	if o.Attestation == "" {
		o.Attestation = "none"
	}
	o.RP.ID, o.RP.Name = r.RelyingParty.ID, r.RelyingParty.Name
	o.User.ID = base64.RawURLEncoding.EncodeToString([]byte(a.User.ID))
	o.User.Name, o.User.DisplayName = a.User.Login, a.User.Name
	for _, p := range r.Parameters {
		o.PubKeyCredParams = append(o.PubKeyCredParams, struct {
			Type string `json:"type"`
			Alg  int64  `json:"alg"`
		}{string(p.Type), int64(p.Algorithm)})
	}
	o.AuthenticatorSelection.ResidentKey = string(r.AuthenticatorSelection.ResidentKey)
	o.AuthenticatorSelection.UserVerification = string(r.AuthenticatorSelection.UserVerification)
	return o, nil
}

// FinishPasskeyRegistration verifies the browser's answer to the pending
// registration and stores the passkey under name.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, a *switchboard.Actor, name string, credential []byte) (*PasskeyView, error) {
	if err := sessionOnly(a); err != nil {
		return nil, err
	}
	if s.Passkeys == nil {
		return nil, errPasskeysOff()
	}
	name, err := switchboard.NormalisePasskeyName(name)
	if err != nil {
		return nil, err
	}
	if len(credential) == 0 || len(credential) > maxPasskeyCredentialJSON {
		return nil, switchboard.Errorf(switchboard.EInvalid, "credential is missing or too large.")
	}
	now := s.now()
	reg, err := s.Store.TakeAuthChallenge(ctx, registrationKey(a.User.ID), now)
	var session webauthn.SessionData
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && (reg.UserID != a.User.ID || json.Unmarshal(reg.State, &session) != nil)) {
		return nil, switchboard.Errorf(switchboard.EConflict, "The passkey registration has expired or was not started. Start again.")
	} else if err != nil {
		return nil, err
	}
	fail := func(reason string) error {
		s.audit(ctx, a, "user.passkey.register", "user", a.User.ID, switchboard.OutcomeFailure, map[string]string{"reason": reason})
		return switchboard.Errorf(switchboard.EInvalid, "The passkey could not be verified. Try again.")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return nil, fail("unreadable response")
	}
	keys, err := s.Store.Passkeys(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	if len(keys) >= switchboard.MaxPasskeysPerUser {
		return nil, switchboard.Errorf(switchboard.EInvalid, "You have %d passkeys, the most allowed. Delete one first.", len(keys))
	}
	cred, err := s.Passkeys.rp.CreateCredential(&webauthnUser{u: a.User, keys: keys}, session, parsed)
	if err != nil {
		return nil, fail("verification failed")
	}
	pk := &switchboard.Passkey{
		UserID: a.User.ID, Name: name, CredentialID: cred.ID, PublicKey: cred.PublicKey,
		SignCount: cred.Authenticator.SignCount, AAGUID: cred.Authenticator.AAGUID,
		BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState, CreatedAt: now,
	}
	for _, t := range cred.Transport {
		if len(pk.Transports) < 8 && len(t) <= 32 && !strings.Contains(string(t), ",") {
			pk.Transports = append(pk.Transports, string(t))
		}
	}
	if err := s.Store.CreatePasskey(ctx, pk); switchboard.ErrorCode(err) == switchboard.EConflict {
		s.audit(ctx, a, "user.passkey.register", "user", a.User.ID, switchboard.OutcomeFailure, map[string]string{"reason": "already registered"})
		return nil, err
	} else if err != nil {
		return nil, err
	}
	s.audit(ctx, a, "user.passkey.register", "user", a.User.ID, switchboard.OutcomeSuccess, map[string]string{"passkey_id": pk.ID, "name": pk.Name})
	v := viewPasskey(pk)
	return &v, nil
}

// DeletePasskey removes one of the actor's passkeys. Like turning TOTP
// off it needs the current password (throttled like wrong codes). Other
// users' passkeys are ENotFound.
func (s *Service) DeletePasskey(ctx context.Context, a *switchboard.Actor, id, password string) error {
	if err := sessionOnly(a); err != nil {
		return err
	}
	if len(password) > 1024 || len(id) > 64 {
		return switchboard.Errorf(switchboard.EInvalid, "Password or id is too long.")
	}
	keys, err := s.Store.Passkeys(ctx, a.User.ID)
	if err != nil {
		return err
	}
	var found *switchboard.Passkey
	for _, k := range keys {
		if k.ID == id {
			found = k
		}
	}
	if found == nil {
		return switchboard.NotFound("Passkey")
	}
	if password == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Give your password to delete a passkey.")
	}
	if err := s.confirmPassword(ctx, a, password, "user.passkey.delete", map[string]string{"passkey_id": id}, s.now()); err != nil {
		return err
	}
	if err := s.Store.DeletePasskey(ctx, a.User.ID, id); err != nil {
		return err
	}
	s.audit(ctx, a, "user.passkey.delete", "user", a.User.ID, switchboard.OutcomeSuccess, map[string]string{"passkey_id": id, "name": found.Name})
	return nil
}

// usablePasskeys returns the user's passkeys if passkeys are on.
func (s *Service) usablePasskeys(ctx context.Context, userID string) ([]*switchboard.Passkey, error) {
	if s.Passkeys == nil {
		return nil, nil
	}
	return s.Store.Passkeys(ctx, userID)
}

// BeginPasskeySignIn returns the options for navigator.credentials.get
// for the second step of a sign-in that [Service.Login] answered with
// challenge. The assertion's state is kept with the challenge.
func (s *Service) BeginPasskeySignIn(ctx context.Context, challengeToken string) (*PasskeyRequestOptions, error) {
	if s.Passkeys == nil {
		return nil, errPasskeysOff()
	}
	if challengeToken == "" || len(challengeToken) > 128 {
		return nil, errSecondFactor()
	}
	now := s.now()
	key := loginChallengeKey(challengeToken)
	ch, err := s.peekChallenge(ctx, key, now)
	if err != nil {
		return nil, err
	}
	if ch == nil {
		return nil, errSecondFactor()
	}
	userID := ch.UserID
	u, err := s.Store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	keys, err := s.Store.Passkeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, switchboard.Errorf(switchboard.EConflict, "You have no passkey. Use a code instead.")
	}
	allow := make([]protocol.CredentialDescriptor, len(keys))
	for i, k := range keys {
		c := credentialOf(k)
		allow[i] = c.Descriptor()
	}
	assertion, sess, err := s.Passkeys.rp.BeginLogin(&webauthnUser{u: u, keys: keys}, webauthn.WithAllowedCredentials(allow))
	if err != nil {
		return nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	state, err := json.Marshal(sess)
	if err != nil {
		return nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	// Kept with the challenge it was asked for, if that is still live
	// (and still the same user's).
	_, err = s.Store.UpdateAuthChallenge(ctx, key, now, func(c *switchboard.AuthChallenge) switchboard.AuthChallengeChange {
		if c.UserID != userID {
			return switchboard.AuthChallengeKeep
		}
		c.State = state
		return switchboard.AuthChallengeSave
	})
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, errSecondFactor()
	} else if err != nil {
		return nil, err
	}
	r := assertion.Response
	return &PasskeyRequestOptions{Challenge: r.Challenge.String(), Timeout: r.Timeout, RPID: r.RelyingPartyID,
		AllowCredentials: descriptors(keys), UserVerification: string(r.UserVerification)}, nil
}

// LoginPasskey completes a sign-in that [Service.Login] answered with a
// challenge with the browser's assertion for the options of
// [Service.BeginPasskeySignIn]. Failures count against the user's
// two-factor throttle and the challenge's attempt limit; a signature
// counter that did not move forward is refused (a cloned authenticator).
func (s *Service) LoginPasskey(ctx context.Context, challengeToken string, credential []byte, c Client) (token string, u *switchboard.User, err error) {
	if s.Passkeys == nil {
		return "", nil, errPasskeysOff()
	}
	now := s.now()
	if challengeToken == "" || len(challengeToken) > 128 || len(credential) > maxPasskeyCredentialJSON {
		return "", nil, errSecondFactor()
	}
	key := loginChallengeKey(challengeToken)
	ch, state, err := s.takeChallenge(ctx, key, now, true)
	if err != nil {
		return "", nil, err
	}
	if ch == nil {
		s.audit(ctx, &switchboard.Actor{IP: c.IP, UserAgent: c.UserAgent}, "session.second_factor", "user", "",
			switchboard.OutcomeFailure, map[string]string{"method": "passkey", "reason": "unknown or expired challenge"})
		return "", nil, errSecondFactor()
	}
	if u, err = s.Store.User(ctx, ch.UserID); err != nil {
		return "", nil, err
	}
	a := &switchboard.Actor{User: u, IP: c.IP, UserAgent: c.UserAgent}
	if !u.Active {
		s.dropChallenge(ctx, key, now)
		return "", nil, errSecondFactor()
	}
	var sess webauthn.SessionData
	if state == nil || json.Unmarshal(state, &sess) != nil {
		return "", nil, switchboard.Errorf(switchboard.EConflict, "Ask for the passkey options first.")
	}
	if err := s.checkPasskey(ctx, a, &sess, credential, now); err != nil {
		return "", nil, err
	}
	if err := s.finishChallenge(ctx, key, u.ID, now); err != nil {
		return "", nil, err
	}
	if token, err = s.openSession(ctx, u, c, now); err != nil {
		return "", nil, err
	}
	s.audit(ctx, a, "session.login", "user", u.ID, switchboard.OutcomeSuccess, map[string]string{"second_factor": "passkey"})
	return token, u, nil
}

// checkPasskey verifies an assertion under the per-user throttle and
// records the new signature counter.
func (s *Service) checkPasskey(ctx context.Context, a *switchboard.Actor, sess *webauthn.SessionData, credential []byte, now time.Time) error {
	key := "2fa:" + a.User.ID
	if d := s.Throttle.Begin(ctx, key, s.Throttle.opts.AccountFailures, now); d > 0 {
		s.audit(ctx, a, "session.second_factor", "user", a.User.ID, switchboard.OutcomeDenied, map[string]string{"method": "passkey", "reason": "throttled"})
		return &switchboard.Error{Code: switchboard.ERateLimited,
			Message: "Too many failed attempts. Try again later.", RetryAfter: max(int(d.Seconds()+0.999), 1)}
	}
	settled := false
	defer func() {
		if !settled {
			s.Throttle.Abandon(ctx, key)
		}
	}()
	fail := func(reason string) error {
		settled = true
		d := s.Throttle.Fail(ctx, key, s.Throttle.opts.AccountFailures, now)
		s.audit(ctx, a, "session.second_factor", "user", a.User.ID, switchboard.OutcomeFailure, map[string]string{"method": "passkey", "reason": reason})
		if d > 0 {
			return &switchboard.Error{Code: switchboard.ERateLimited,
				Message: "Too many failed attempts. Try again later.", RetryAfter: max(int(d.Seconds()+0.999), 1)}
		}
		return switchboard.Errorf(switchboard.EUnauthorized, "The passkey could not be verified, or the sign-in has expired.")
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return fail("unreadable response")
	}
	keys, err := s.Store.Passkeys(ctx, a.User.ID)
	if err != nil {
		return err
	}
	var used *switchboard.Passkey
	for _, k := range keys {
		if bytes.Equal(k.CredentialID, parsed.RawID) {
			used = k
		}
	}
	if used == nil {
		return fail("unknown passkey")
	}
	cred, err := s.Passkeys.rp.ValidateLogin(&webauthnUser{u: a.User, keys: keys}, *sess, parsed)
	if err != nil {
		return fail("verification failed")
	}
	if cred.Authenticator.CloneWarning {
		return fail("signature counter went backwards")
	}
	err = s.Store.UsePasskey(ctx, a.User.ID, used.ID, cred.Authenticator.SignCount, cred.Flags.BackupState, now)
	if switchboard.ErrorCode(err) == switchboard.EConflict {
		return fail("signature counter went backwards")
	} else if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return fail("unknown passkey")
	} else if err != nil {
		return err
	}
	s.Throttle.Reset(ctx, key)
	settled = true
	return nil
}
