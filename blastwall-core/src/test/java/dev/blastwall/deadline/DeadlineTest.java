package dev.blastwall.deadline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Ticker;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeadlineTest {

  /**
   * Runs a test once per ticker epoch: nanoTime readings are arbitrary, so deadline arithmetic must hold at zero,
   * at -1, at the most negative reading, and just before the reading wraps from positive to negative.
   */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @ParameterizedTest(name = "ticker starts at {0}")
  @ValueSource(longs = {0, Long.MAX_VALUE - 1000, Long.MIN_VALUE, -1})
  @interface AcrossEpochs {}

  private static final Duration HUNDRED_YEARS = Duration.ofDays(100 * 365);

  @Test
  void clampIsAboutHundredYears() {
    assertThat(Deadline.MAX_OFFSET_NANOS).isEqualTo(HUNDRED_YEARS.toNanos());
  }

  @AcrossEpochs
  void remainingCountsDownAndExpiresAtTheDeadline(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    Deadline deadline = Deadline.after(Duration.ofMillis(300), ticker);

    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(300));
    assertThat(deadline.isExpired()).isFalse();

    ticker.advanceNanos(Duration.ofMillis(300).toNanos() - 1);
    assertThat(deadline.remainingNanos()).isEqualTo(1);
    assertThat(deadline.isExpired()).isFalse();

    ticker.advanceNanos(1);
    assertThat(deadline.remainingNanos()).isZero();
    assertThat(deadline.isExpired()).isTrue();

    ticker.advance(Duration.ofMillis(5));
    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(-5));
    assertThat(deadline.isExpired()).isTrue();
  }

  @AcrossEpochs
  void zeroAndNegativeTimeoutsAreAlreadyExpired(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);

    assertThat(Deadline.after(Duration.ZERO, ticker).isExpired()).isTrue();
    Deadline past = Deadline.afterNanos(-7, ticker);
    assertThat(past.isExpired()).isTrue();
    assertThat(past.remainingNanos()).isEqualTo(-7);
  }

  @AcrossEpochs
  void seedExampleGatewayHandsItsChildTheRemainderMinusSlack(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    Deadline gateway = Deadline.after(Duration.ofMillis(300), ticker);
    Duration slack = Duration.ofMillis(100);

    Deadline child = gateway.reserve(slack);
    assertThat(child.remaining()).isEqualTo(Duration.ofMillis(200));
    assertThat(child.isBefore(gateway)).isTrue();

    ticker.advance(Duration.ofMillis(20)); // authentication
    assertThat(gateway.reserve(slack).remaining()).isEqualTo(Duration.ofMillis(180));
    assertThat(Deadline.forChild(gateway, slack, null, ticker)).isEqualTo(gateway.reserve(slack));
    // A child deadline computed earlier is absolute: it has lost the same 20 ms.
    assertThat(child.remaining()).isEqualTo(Duration.ofMillis(180));
  }

  @AcrossEpochs
  void minAndIsBeforeOrderDeadlinesAcrossTheWrap(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    // At epoch MAX - 1000 the later one's raw reading is negative: only difference-based ordering gets this right.
    Deadline sooner = Deadline.afterNanos(500, ticker);
    Deadline later = Deadline.afterNanos(2_000, ticker);

    assertThat(sooner.isBefore(later)).isTrue();
    assertThat(later.isBefore(sooner)).isFalse();
    assertThat(sooner.isBefore(sooner)).isFalse();
    assertThat(sooner.min(later)).isSameAs(sooner);
    assertThat(later.min(sooner)).isSameAs(sooner);
    assertThat(later.min(null)).isSameAs(later);
    assertThat(sooner.compareTo(later)).isNegative();
    assertThat(later.compareTo(sooner)).isPositive();
  }

  @Test
  void minOfEqualDeadlinesKeepsThisOne() {
    FakeTicker ticker = new FakeTicker();
    Deadline first = Deadline.afterNanos(10, ticker);
    Deadline second = Deadline.afterNanos(10, ticker);

    assertThat(first.min(second)).isSameAs(first);
    assertThat(second.min(first)).isSameAs(second);
  }

  @AcrossEpochs
  void reserveAndOffsetMoveTheDeadline(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    Deadline deadline = Deadline.after(Duration.ofMillis(300), ticker);

    assertThat(deadline.reserve(Duration.ZERO)).isEqualTo(deadline);
    assertThat(deadline.offset(0)).isEqualTo(deadline);
    assertThat(deadline.offset(Duration.ofMillis(50).toNanos()).remaining()).isEqualTo(Duration.ofMillis(350));
    assertThat(deadline.offset(-Duration.ofMillis(50).toNanos()).remaining()).isEqualTo(Duration.ofMillis(250));
    assertThat(deadline.reserve(Duration.ofMillis(400)).remaining()).isEqualTo(Duration.ofMillis(-100));
    assertThat(deadline.reserve(Duration.ofMillis(400)).isExpired()).isTrue();
  }

  @Test
  void reserveRejectsNegativeSlack() {
    Deadline deadline = Deadline.after(Duration.ofMillis(300), new FakeTicker());

    assertThatThrownBy(() -> deadline.reserve(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slack: PT-0.001S (expected: >= 0)");
  }

  @AcrossEpochs
  void reserveIsNeverLaterThanThisDeadlineEvenWhileTimeMoves(long epoch) {
    // Every reading is one nanosecond later than the last, as a busy real clock would be.
    AtomicLong clock = new AtomicLong(epoch);
    Ticker moving = clock::getAndIncrement;
    Deadline deadline = Deadline.after(Duration.ofMillis(300), moving);

    assertThat(deadline.reserve(Duration.ZERO).isBefore(deadline)).isFalse();
    assertThat(deadline.reserve(Duration.ZERO).compareTo(deadline)).isZero();
    assertThat(deadline.offset(0)).isEqualTo(deadline);
    assertThat(deadline.reserve(Duration.ofNanos(1)).isBefore(deadline)).isTrue();
  }

  @AcrossEpochs
  void offsetsAreClampedToAboutHundredYears(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    long max = Deadline.MAX_OFFSET_NANOS;

    assertThat(Deadline.afterNanos(Long.MAX_VALUE, ticker).remainingNanos()).isEqualTo(max);
    assertThat(Deadline.afterNanos(Long.MIN_VALUE, ticker).remainingNanos()).isEqualTo(-max);
    assertThat(Deadline.afterNanos(max + 1, ticker).remainingNanos()).isEqualTo(max);
    assertThat(Deadline.afterNanos(max, ticker).remainingNanos()).isEqualTo(max);

    Deadline deadline = Deadline.after(Duration.ofMillis(300), ticker);
    assertThat(deadline.offset(Long.MAX_VALUE).remainingNanos()).isEqualTo(max);
    // The offset is clamped first, then the result: 300 ms minus 100 years is still inside the range.
    assertThat(deadline.offset(Long.MIN_VALUE).remainingNanos()).isEqualTo(Duration.ofMillis(300).toNanos() - max);
    assertThat(deadline.reserve(Duration.ofSeconds(Long.MAX_VALUE)).remainingNanos())
        .isEqualTo(Duration.ofMillis(300).toNanos() - max);
    Deadline gone = Deadline.afterNanos(-max, ticker);
    assertThat(gone.offset(-1).remainingNanos()).isEqualTo(-max);
  }

  @AcrossEpochs
  void durationsBeyondTheLongRangeSaturateInsteadOfThrowing(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);

    Deadline far = Deadline.after(Duration.ofSeconds(Long.MAX_VALUE), ticker);
    Deadline gone = Deadline.after(Duration.ofSeconds(Long.MIN_VALUE), ticker);

    assertThat(far.remaining()).isEqualTo(HUNDRED_YEARS);
    assertThat(gone.remaining()).isEqualTo(HUNDRED_YEARS.negated());
    assertThat(gone.isBefore(far)).isTrue();
    assertThat(far.isBefore(Deadline.after(Duration.ofDays(1), ticker))).isFalse();
  }

  @AcrossEpochs
  void aClampedDeadlineStillExpiresAfterHundredYears(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    Deadline far = Deadline.afterNanos(Long.MAX_VALUE, ticker);

    ticker.advance(HUNDRED_YEARS.minusNanos(1));
    assertThat(far.isExpired()).isFalse();
    ticker.advanceNanos(1);
    assertThat(far.isExpired()).isTrue();
  }

  @AcrossEpochs
  void forChildTakesTheTighterOfParentMinusSlackAndTimeout(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    Deadline parent = Deadline.after(Duration.ofMillis(300), ticker);
    Duration slack = Duration.ofMillis(100);

    assertThat(Deadline.forChild(parent, slack, Duration.ofMillis(50), ticker))
        .isEqualTo(Deadline.after(Duration.ofMillis(50), ticker));
    assertThat(Deadline.forChild(parent, slack, Duration.ofSeconds(1), ticker)).isEqualTo(parent.reserve(slack));
    assertThat(Deadline.forChild(null, slack, Duration.ofMillis(50), ticker))
        .isEqualTo(Deadline.after(Duration.ofMillis(50), ticker));
    assertThat(Deadline.forChild(parent, slack, null, ticker)).isEqualTo(parent.reserve(slack));
    assertThat(Deadline.forChild(null, slack, null, ticker)).isNull();
  }

  @Test
  void deadlinesOnDifferentTickersCannotBeCompared() {
    FakeTicker mine = new FakeTicker(5);
    FakeTicker theirs = new FakeTicker(5);
    Deadline a = Deadline.afterNanos(10, mine);
    Deadline b = Deadline.afterNanos(10, theirs);
    String message = "other.ticker: FakeTicker[5 ns] (expected: the same ticker as this deadline (FakeTicker[5 ns]))";

    assertThatThrownBy(() -> a.compareTo(b)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThatThrownBy(() -> a.min(b)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThatThrownBy(() -> a.isBefore(b)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThatThrownBy(() -> Deadline.forChild(a, Duration.ZERO, Duration.ofMillis(1), theirs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("other.ticker: ");
    // Equality is defined across tickers, it is just never true.
    assertThat(a).isNotEqualTo(b);
  }

  @AcrossEpochs
  void equalsAndHashCodeFollowTickerAndInstant(long epoch) {
    FakeTicker ticker = new FakeTicker(epoch);
    Deadline deadline = Deadline.afterNanos(1_000, ticker);
    Deadline same = Deadline.afterNanos(1_000, ticker);

    assertThat(deadline).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(deadline).isNotEqualTo(Deadline.afterNanos(1_001, ticker));
    assertThat(deadline).isNotEqualTo(Deadline.afterNanos(1_000, new FakeTicker(epoch)));
    assertThat(deadline).isNotEqualTo("a deadline");

    // The same instant, reached from a later reading.
    ticker.advanceNanos(400);
    Deadline reachedLater = Deadline.afterNanos(600, ticker);
    assertThat(reachedLater).isEqualTo(deadline).hasSameHashCodeAs(deadline);
    assertThat(reachedLater.compareTo(deadline)).isZero();
  }

  @Test
  void toStringShowsMillisecondsLeft() {
    FakeTicker ticker = new FakeTicker(-1);
    Deadline deadline = Deadline.afterNanos(1_500_000, ticker);

    assertThat(deadline).hasToString("Deadline[1.500000 ms from now]");
    ticker.advanceNanos(1_499_999);
    assertThat(deadline).hasToString("Deadline[0.000001 ms from now]");
    ticker.advanceNanos(1);
    assertThat(deadline).hasToString("Deadline[expired 0.000000 ms from now]");
    ticker.advance(Duration.ofMillis(2));
    assertThat(deadline).hasToString("Deadline[expired -2.000000 ms from now]");
  }

  @Test
  void toStringUsesAsciiDigitsWhateverTheDefaultLocale() {
    Locale saved = Locale.getDefault(Locale.Category.FORMAT);
    try {
      // Saudi Arabic formats numbers with Arabic-Indic digits by default.
      Locale.setDefault(Locale.Category.FORMAT, Locale.forLanguageTag("ar-SA"));
      Deadline deadline = Deadline.afterNanos(1_000_042, new FakeTicker());

      assertThat(deadline).hasToString("Deadline[1.000042 ms from now]");
    } finally {
      Locale.setDefault(Locale.Category.FORMAT, saved);
    }
  }

  @Test
  void theSystemTickerIsTheDefault() {
    Deadline deadline = Deadline.after(Duration.ofHours(1));

    assertThat(deadline.ticker()).isSameAs(Ticker.system());
    assertThat(deadline.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
    assertThat(deadline.isExpired()).isFalse();
  }
}
