package dev.blastwall.idempotency;

/**
 * The right to run the request for {@code key} once, given by {@link IdempotencyStore#begin} to exactly one caller
 * at a time. Completing or releasing succeeds only with the token the store handed out, so a caller whose lease
 * expired and was taken over cannot overwrite the new owner's record.
 *
 * @param key the scope the lease is for
 * @param fingerprint the fingerprint the request was begun with
 * @param token the store's proof of ownership; opaque to callers
 */
public record Lease(IdempotencyKey key, Fingerprint fingerprint, String token) {}
