// Package seal encrypts customer data at rest and derives blind indexes so
// encrypted fields stay searchable.
//
// Envelope encryption: a single master key (the key-encryption key, kept in
// a file outside the database) wraps one data key per contact. Everything
// belonging to a contact is sealed with that contact's data key, so erasing a
// contact only requires destroying its wrapped data key (crypto-shredding):
// backups and replicas that still hold the ciphertext become unreadable.
//
// Every ciphertext carries a version byte and is bound through AES-GCM
// associated data to the table, column and row it was written for (see AAD),
// so a database attacker cannot swap ciphertexts between records. Wrapped
// data keys record which master key wrapped them, so master key rotation
// needs no schema change.
//
// Blind indexes are keyed HMAC-SHA256 values of normalised search terms; the
// store persists them next to the ciphertext and matches queries by equality
// without ever decrypting.
package seal
