package dev.blastwall.idempotency;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a request asked for, reduced to a short string: a retry must carry the same fingerprint as the first request,
 * and the same key with another fingerprint is refused as a mismatch (HTTP 422) instead of replaying an answer to a
 * different question.
 *
 * @param value 1 to {@value #MAX_LENGTH} visible ASCII characters; {@link #sha256} gives 64 hex digits
 */
public record Fingerprint(String value) {

  /** Longest accepted fingerprint. */
  public static final int MAX_LENGTH = 128;

  public Fingerprint {
    IdempotencyKey.checkVisibleAscii("fingerprint", value, MAX_LENGTH);
  }

  /**
   * The SHA-256 of {@code parts} (for example the method, the path and the body), each prefixed with its length so
   * that moving bytes from one part to the next changes the fingerprint.
   */
  public static Fingerprint sha256(byte[]... parts) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", impossible);
    }
    for (byte[] part : parts) {
      int n = part.length;
      digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      digest.update(part);
    }
    return new Fingerprint(HexFormat.of().formatHex(digest.digest()));
  }
}
