package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Criticality;
import io.grpc.Metadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlastwallMetadataTest {

  @ParameterizedTest
  @EnumSource(Criticality.class)
  void criticality_roundTripsByName_inAnyCase(Criticality criticality) {
    assertThat(BlastwallMetadata.parseCriticality(criticality.name())).isEqualTo(criticality);
    assertThat(BlastwallMetadata.parseCriticality(criticality.name().toLowerCase(java.util.Locale.ROOT)))
        .isEqualTo(criticality);
  }

  @ParameterizedTest
  // The last ones hold a dotless i or a long s, which Java's toUpperCase turns into I and S.
  @ValueSource(strings = {"", "URGENT", "CRITICAL+", "0", "CRITICAL_PLUS_PLUS", "crit\u0131cal", "\u017fheddable",
      "critical_plu\u017f"})
  void unknownCriticality_isIgnored(String value) {
    assertThat(BlastwallMetadata.parseCriticality(value)).isNull();
    assertThat(BlastwallMetadata.parseCriticality(null)).isNull();
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "3, 3", "0, 1", "-2, 1", "x, 1", "'', 1", "99999999999, 1", "0007, 7"})
  void attempt_isAPositiveDecimal_elseOne(String value, int expected) {
    assertThat(BlastwallMetadata.parseAttempt(value)).isEqualTo(expected);
  }

  @Test
  void missingAttempt_isOne() {
    assertThat(BlastwallMetadata.parseAttempt(null)).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({"true, true", "TRUE, true", "1, true", "false, false", "0, false", "yes, false"})
  void doNotRetry_isTrueOrOne(String value, boolean expected) {
    assertThat(BlastwallMetadata.parseDoNotRetry(value)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "200, 200", "-1, -1", "-300, -1", "abc, -1", "1e3, -1", "' 15 ', 15"})
  void pushback_isMillisOrDoNotRetry(String value, long expected) {
    assertThat(BlastwallMetadata.parsePushbackMillis(value)).isEqualTo(expected);
  }

  @Test
  void missingPushback_isDistinctFromDoNotRetry() {
    assertThat(BlastwallMetadata.parsePushbackMillis(null)).isEqualTo(BlastwallMetadata.NO_PUSHBACK);
  }

  @Test
  void mark_isSetOnce() {
    Metadata metadata = new Metadata();
    BlastwallMetadata.markDoNotRetry(metadata);
    BlastwallMetadata.markDoNotRetry(metadata);

    assertThat(metadata.getAll(BlastwallMetadata.DO_NOT_RETRY)).containsExactly("true");
    assertThat(BlastwallMetadata.hasDoNotRetry(metadata)).isTrue();
    assertThat(BlastwallMetadata.hasDoNotRetry(new Metadata())).isFalse();
    assertThat(BlastwallMetadata.hasDoNotRetry(null)).isFalse();
  }
}
