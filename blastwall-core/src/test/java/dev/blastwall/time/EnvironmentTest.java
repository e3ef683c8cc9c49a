package dev.blastwall.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.testing.FakeEnvironment;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

  @Test
  void system_isTheRealParts() {
    Environment system = Environment.system();

    assertThat(system.ticker()).isSameAs(Ticker.system());
    assertThat(system.wallClock()).isEqualTo(InstantSource.system());
    assertThat(system.scheduler()).isSameAs(Scheduler.system());
    assertThat(system.random().nextDouble()).isBetween(0.0, 1.0);
    assertThat(system).isSameAs(Environment.system()).hasToString("Environment.system()");
  }

  @Test
  void eachWither_replacesOnePart_andLeavesTheOriginalAlone() {
    Environment system = Environment.system();
    FakeTicker ticker = new FakeTicker();
    InstantSource wallClock = InstantSource.fixed(Instant.EPOCH);
    Scheduler scheduler = new FakeScheduler();
    RandomSource random = () -> 0.5;

    Environment onTicker = system.withTicker(ticker);
    assertThat(onTicker.ticker()).isSameAs(ticker);
    assertThat(onTicker.scheduler()).isSameAs(system.scheduler());
    assertThat(onTicker.withWallClock(wallClock).wallClock()).isSameAs(wallClock);
    assertThat(onTicker.withScheduler(scheduler).scheduler()).isSameAs(scheduler);
    Environment all = onTicker.withWallClock(wallClock).withScheduler(scheduler).withRandom(random);
    assertThat(all.ticker()).isSameAs(ticker);
    assertThat(all.random()).isSameAs(random);
    assertThat(all.wallClock()).isSameAs(wallClock);
    assertThat(system.ticker()).isSameAs(Ticker.system());
    assertThat(Environment.of(ticker, wallClock, scheduler, random).toString())
        .startsWith("Environment[ticker=FakeTicker[0 ns], wallClock=");
  }

  @Test
  void deadlinesFromOneEnvironment_alwaysCompare() {
    FakeEnvironment fake = new FakeEnvironment();
    Ticker ticker = fake.environment().ticker();
    Deadline early = Deadline.after(Duration.ofMillis(100), ticker);
    fake.advance(Duration.ofMillis(50));
    Deadline late = Deadline.after(Duration.ofMillis(100), ticker);

    assertThat(early.isBefore(late)).isTrue();
    assertThat(late.min(early)).isSameAs(early);
    // Another environment's deadline is on another clock: comparing is refused, not silently wrong.
    Deadline elsewhere = Deadline.after(Duration.ofMillis(100), new FakeEnvironment().environment().ticker());
    assertThatThrownBy(() -> early.min(elsewhere)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("other.ticker: ");
  }

  @Test
  void nullParts_areErrorsInTheProjectsFormat() {
    Environment system = Environment.system();

    assertThatThrownBy(() -> system.withTicker(nothing())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ticker: null (expected: a Ticker, e.g. Ticker.system())");
    assertThatThrownBy(() -> system.withWallClock(nothing())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wallClock: null (expected: an InstantSource, e.g. InstantSource.system())");
    assertThatThrownBy(() -> system.withScheduler(nothing())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scheduler: null (expected: a Scheduler, e.g. Scheduler.system())");
    assertThatThrownBy(() -> system.withRandom(nothing())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("random: null (expected: a RandomSource, e.g. RandomSource.threadLocal())");
    assertThatThrownBy(() -> Environment.of(nothing(), nothing(), nothing(), nothing()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ticker: null");
  }

  @SuppressWarnings({"NullAway", "TypeParameterUnusedInFormals"}) // Passes the null that unchecked code could.
  private static <T> T nothing() {
    return null;
  }
}
