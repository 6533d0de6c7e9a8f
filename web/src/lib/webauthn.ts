// WebAuthn in the browser: the server sends options in WebAuthn's JSON
// form (binary values as base64url) and wants the credential back in the
// same form. These helpers convert between that and the ArrayBuffers
// navigator.credentials works with, without relying on the newer
// PublicKeyCredential.parseCreationOptionsFromJSON / toJSON.

/** bufferFromBase64url decodes base64url (padding optional) to bytes. */
export function bufferFromBase64url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const bin = atob(padded);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

/** base64urlFromBuffer encodes bytes as base64url without padding. */
export function base64urlFromBuffer(b: ArrayBuffer | ArrayBufferView): string {
  const bytes = b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  let bin = '';
  for (const c of bytes) bin += String.fromCharCode(c);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface DescriptorJSON {
  type: string;
  id: string;
  transports?: string[];
}

export interface CreationOptionsJSON {
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { type: string; alg: number }[];
  timeout: number;
  excludeCredentials: DescriptorJSON[];
  authenticatorSelection: { residentKey: string; userVerification: string };
  attestation: string;
}

export interface RequestOptionsJSON {
  challenge: string;
  timeout: number;
  rpId: string;
  allowCredentials: DescriptorJSON[];
  userVerification: string;
}

function descriptor(d: DescriptorJSON): PublicKeyCredentialDescriptor {
  return {
    type: 'public-key',
    id: bufferFromBase64url(d.id),
    ...(d.transports?.length ? { transports: d.transports as AuthenticatorTransport[] } : {}),
  };
}

/** creationOptions turns the server's options into what navigator.credentials.create takes. */
export function creationOptions(o: CreationOptionsJSON): PublicKeyCredentialCreationOptions {
  return {
    rp: { id: o.rp.id, name: o.rp.name },
    user: { id: bufferFromBase64url(o.user.id), name: o.user.name, displayName: o.user.displayName },
    challenge: bufferFromBase64url(o.challenge),
    pubKeyCredParams: o.pubKeyCredParams.map((p) => ({ type: 'public-key', alg: p.alg })),
    timeout: o.timeout,
    excludeCredentials: o.excludeCredentials.map(descriptor),
    authenticatorSelection: {
      residentKey: o.authenticatorSelection.residentKey as ResidentKeyRequirement,
      userVerification: o.authenticatorSelection.userVerification as UserVerificationRequirement,
    },
    attestation: o.attestation as AttestationConveyancePreference,
  };
}

/** requestOptions turns the server's options into what navigator.credentials.get takes. */
export function requestOptions(o: RequestOptionsJSON): PublicKeyCredentialRequestOptions {
  return {
    challenge: bufferFromBase64url(o.challenge),
    timeout: o.timeout,
    rpId: o.rpId,
    allowCredentials: o.allowCredentials.map(descriptor),
    userVerification: o.userVerification as UserVerificationRequirement,
  };
}

/** The credential as the server reads it (RegistrationResponseJSON / AuthenticationResponseJSON). */
export interface CredentialJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment?: string | null;
  clientExtensionResults: Record<string, unknown>;
  response: {
    clientDataJSON: string;
    attestationObject?: string;
    transports?: string[];
    authenticatorData?: string;
    signature?: string;
    userHandle?: string | null;
  };
}

interface CredentialLike {
  id: string;
  rawId: ArrayBuffer;
  authenticatorAttachment?: string | null;
  response: {
    clientDataJSON: ArrayBuffer;
    attestationObject?: ArrayBuffer;
    getTransports?: () => string[];
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
  };
}

/** credentialJSON encodes what navigator.credentials.create or .get returned. */
export function credentialJSON(c: CredentialLike): CredentialJSON {
  const r = c.response;
  const response: CredentialJSON['response'] = { clientDataJSON: base64urlFromBuffer(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = base64urlFromBuffer(r.attestationObject);
    if (typeof r.getTransports === 'function') response.transports = r.getTransports();
  }
  if (r.authenticatorData) response.authenticatorData = base64urlFromBuffer(r.authenticatorData);
  if (r.signature) response.signature = base64urlFromBuffer(r.signature);
  if (r.userHandle) response.userHandle = base64urlFromBuffer(r.userHandle);
  return {
    id: c.id,
    rawId: base64urlFromBuffer(c.rawId),
    type: 'public-key',
    authenticatorAttachment: c.authenticatorAttachment ?? null,
    clientExtensionResults: {},
    response,
  };
}

/** passkeysSupported says whether this browser can use passkeys at all. */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

/** createPasskey runs the browser's registration ceremony. */
export async function createPasskey(o: CreationOptionsJSON): Promise<CredentialJSON> {
  const cred = (await navigator.credentials.create({ publicKey: creationOptions(o) })) as PublicKeyCredential | null;
  if (!cred) throw new Error('no credential');
  return credentialJSON(cred as unknown as CredentialLike);
}

/** getPasskey runs the browser's assertion ceremony. */
export async function getPasskey(o: RequestOptionsJSON): Promise<CredentialJSON> {
  const cred = (await navigator.credentials.get({ publicKey: requestOptions(o) })) as PublicKeyCredential | null;
  if (!cred) throw new Error('no credential');
  return credentialJSON(cred as unknown as CredentialLike);
}
