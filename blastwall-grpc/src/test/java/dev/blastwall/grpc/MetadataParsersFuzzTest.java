package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.TimeoutHeader;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.internal.Untrusted;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The metadata parsers against simple models of what docs/grpc.md and {@link BlastwallMetadata} promise, on many
 * generated values (fixed seeds, a count per parser, no network): every value is either parsed as the model says
 * or refused with a bounded, printable message; nothing else is ever thrown.
 */
class MetadataParsersFuzzTest {

  private static final int TRIES = 50_000;
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");
  private static final Pattern TIMEOUT = Pattern.compile("([0-9]{1,8})([HMSmun])");
  /** Longest message a refusal may have: a quoted value is at most 408 characters, plus name and expectation. */
  private static final int MAX_MESSAGE = 600;

  private static String anyValue(SplittableRandom random, String key) {
    return FuzzValues.forKey(random, key, /* bytesOnly= */ false);
  }

  @Test
  void criticality_isOneOfTheFourNamesInAsciiAnyCase_elseIgnored() {
    SplittableRandom random = new SplittableRandom(1401L);
    for (int i = 0; i < TRIES; i++) {
      String value = anyValue(random, BlastwallMetadata.CRITICALITY.name());
      assertThat(BlastwallMetadata.parseCriticality(value)).as("try %d: %s", i, Untrusted.quote(value))
          .isEqualTo(criticalityModel(value));
    }
  }

  @Test
  void attempt_isAPositiveDecimalThatFitsAnInt_elseOne() {
    SplittableRandom random = new SplittableRandom(1402L);
    for (int i = 0; i < TRIES; i++) {
      String value = anyValue(random, BlastwallMetadata.ATTEMPT.name());
      long number = numberModel(value);
      int expected = number >= 1 && number <= Integer.MAX_VALUE ? (int) number : 1;
      assertThat(BlastwallMetadata.parseAttempt(value)).as("try %d: %s", i, Untrusted.quote(value))
          .isEqualTo(expected);
    }
  }

  @Test
  void doNotRetry_isTrueOrOneInAscii() {
    SplittableRandom random = new SplittableRandom(1403L);
    for (int i = 0; i < TRIES; i++) {
      String value = anyValue(random, BlastwallMetadata.DO_NOT_RETRY.name());
      String trimmed = value.trim();
      boolean expected = trimmed.equals("1") || (isAscii(trimmed) && trimmed.toLowerCase(Locale.ROOT).equals("true"));
      assertThat(BlastwallMetadata.parseDoNotRetry(value)).as("try %d: %s", i, Untrusted.quote(value))
          .isEqualTo(expected);
    }
  }

  @Test
  void pushback_isADecimalOfMillis_elseDoNotRetry() {
    SplittableRandom random = new SplittableRandom(1404L);
    for (int i = 0; i < TRIES; i++) {
      String value = anyValue(random, BlastwallMetadata.RETRY_PUSHBACK_MS.name());
      long number = numberModel(value);
      assertThat(BlastwallMetadata.parsePushbackMillis(value)).as("try %d: %s", i, Untrusted.quote(value))
          .isEqualTo(number >= 0 ? number : BlastwallMetadata.PUSHBACK_DO_NOT_RETRY);
    }
  }

  @Test
  void grpcTimeout_isParsedAsTheSpecSays_elseRefusedWithABoundedPrintableMessage() {
    SplittableRandom random = new SplittableRandom(1405L);
    for (int i = 0; i < TRIES; i++) {
      String value = anyValue(random, TimeoutHeader.NAME);
      Matcher valid = TIMEOUT.matcher(value);
      if (valid.matches()) {
        long expected = saturatedTimes(Long.parseLong(valid.group(1)), unitNanos(valid.group(2).charAt(0)));
        assertThat(TimeoutHeader.decodeNanos(value)).as("try %d: %s", i, value).isEqualTo(expected);
      } else {
        Throwable refused = catchThrowable(() -> TimeoutHeader.decodeNanos(value));
        assertThat(refused).as("try %d: %s", i, Untrusted.quote(value)).isInstanceOf(IllegalArgumentException.class);
        assertBoundedAndPrintable(refused.getMessage(), TimeoutHeader.NAME + ": " + Untrusted.quote(value));
      }
    }
  }

  @Test
  void idempotencyKey_isOneTo255VisibleAscii_elseRefusedWithABoundedPrintableMessage() {
    SplittableRandom random = new SplittableRandom(1406L);
    for (int i = 0; i < TRIES; i++) {
      String value = anyValue(random, BlastwallMetadata.IDEMPOTENCY_KEY.name());
      boolean valid = !value.isEmpty() && value.length() <= Idempotency.MAX_KEY_LENGTH
          && value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
      if (valid) {
        assertThat(Idempotency.withKey(value).key()).isEqualTo(value);
      } else {
        Throwable refused = catchThrowable(() -> Idempotency.withKey(value));
        assertThat(refused).as("try %d: %s", i, Untrusted.quote(value)).isInstanceOf(IllegalArgumentException.class);
        assertBoundedAndPrintable(refused.getMessage(), "key: " + Untrusted.quote(value));
      }
    }
  }

  @Test
  void anyStatusWithAnyTrailers_isClassifiedWithoutAnException() {
    SplittableRandom random = new SplittableRandom(1407L);
    FailureClassifier classifier = GrpcStatusMapping.classifier();
    Status.Code[] codes = Status.Code.values();
    for (int i = 0; i < TRIES; i++) {
      Status.Code code = codes[random.nextInt(1, codes.length)];
      Status status = Status.fromCode(code).withDescription(random.nextInt(4) == 0 ? null
          : random.nextInt(20) == 0 ? FuzzValues.longRun(random, false) : FuzzValues.chars(random, 30, false));
      Metadata trailers = randomTrailers(random);
      @Nullable String pushback = trailers.get(BlastwallMetadata.RETRY_PUSHBACK_MS);
      String sample = "try " + i + ": " + code + " " + trailers;

      GrpcRemoteFailure failure = GrpcStatusMapping.toFailure(status, trailers);

      assertThat(failure.status().getCode()).as(sample).isEqualTo(code);
      assertThat(failure.retryAfterNanos()).as(sample).isGreaterThanOrEqualTo(-1);
      if (pushback != null && BlastwallMetadata.parsePushbackMillis(pushback) < 0) {
        assertThat(failure.doNotRetry()).as("a pushback that is not a number forbids retries; " + sample).isTrue();
      }
      assertThat(classifier.classify(failure)).as(sample).isNotNull();
      assertThat(classifier.retryAfterNanos(failure)).as(sample).isGreaterThanOrEqualTo(-1);
      boolean unusedDoNotRetry = classifier.doNotRetry(failure);
      StatusRuntimeException relayed = GrpcStatusMapping.toStatusException(failure);
      assertThat(relayed.getStatus().getCode()).as(sample).isNotEqualTo(Status.Code.OK);
      // The same trailers as a status exception, as a stub throws them.
      assertThat(classifier.classify(status.asRuntimeException(trailers))).as(sample).isNotNull();
    }
  }

  /** Pushback, the mark and another key, each present or not, sometimes twice, with fuzzed values. */
  static Metadata randomTrailers(SplittableRandom random) {
    Metadata trailers = new Metadata();
    for (Metadata.Key<String> key : java.util.List.of(BlastwallMetadata.RETRY_PUSHBACK_MS,
        BlastwallMetadata.DO_NOT_RETRY, BlastwallMetadata.CRITICALITY)) {
      int copies = random.nextInt(6) == 0 ? 2 : random.nextInt(2);
      for (int c = 0; c < copies; c++) {
        trailers.put(key, printable(FuzzValues.forKey(random, key.name(), /* bytesOnly= */ true)));
      }
    }
    return trailers;
  }

  /** What grpc-java's ASCII marshaller lets through to the wire (it drops other values with a warning). */
  static String printable(String value) {
    StringBuilder out = new StringBuilder(value.length());
    value.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
    return out.toString();
  }

  private static void assertBoundedAndPrintable(@Nullable String message, String expectedStart) {
    assertThat(message).isNotNull().startsWith(expectedStart).hasSizeLessThanOrEqualTo(MAX_MESSAGE);
    assertThat(String.valueOf(message).chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as("printable: %s", message).isTrue();
  }

  private static @Nullable Criticality criticalityModel(String value) {
    String trimmed = value.trim();
    if (!isAscii(trimmed)) {
      return null;
    }
    for (Criticality criticality : Criticality.values()) {
      if (criticality.name().equals(trimmed.toUpperCase(Locale.ROOT))) {
        return criticality;
      }
    }
    return null;
  }

  /** The trimmed value as 1 to 18 ASCII digits, or -1. */
  private static long numberModel(String value) {
    String trimmed = value.trim();
    return NUMBER.matcher(trimmed).matches() ? Long.parseLong(trimmed) : -1;
  }

  private static boolean isAscii(String value) {
    return value.chars().allMatch(c -> c < 0x80);
  }

  private static long unitNanos(char unit) {
    return switch (unit) {
      case 'H' -> 3_600_000_000_000L;
      case 'M' -> 60_000_000_000L;
      case 'S' -> 1_000_000_000L;
      case 'm' -> 1_000_000L;
      case 'u' -> 1_000L;
      default -> 1L;
    };
  }

  private static long saturatedTimes(long amount, long unitNanos) {
    try {
      return Math.multiplyExact(amount, unitNanos);
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
  }
}
