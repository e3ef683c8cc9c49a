package dev.blastwall.deadline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineSlackTest {

  @Test
  void theDefault_keepsTenPercent_atMostFiftyMillis_andNothingOncePassed() {
    assertThat(DeadlineSlack.DEFAULT.slackNanos(Duration.ofMillis(200).toNanos()))
        .isEqualTo(Duration.ofMillis(20).toNanos());
    assertThat(DeadlineSlack.DEFAULT.slackNanos(Duration.ofSeconds(10).toNanos()))
        .isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(DeadlineSlack.DEFAULT.slackNanos(0)).isZero();
    assertThat(DeadlineSlack.DEFAULT.slackNanos(-5)).isZero();
    assertThat(DeadlineSlack.NONE.slackNanos(Long.MAX_VALUE)).isZero();
  }

  @Test
  void aFixedSlack_keepsItsAmount_orAllThatIsLeft() {
    DeadlineSlack fixed = DeadlineSlack.fixed(Duration.ofMillis(100));
    assertThat(fixed.slackNanos(Duration.ofMillis(300).toNanos())).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(fixed.slackNanos(Duration.ofMillis(30).toNanos())).isEqualTo(Duration.ofMillis(30).toNanos());
  }

  @Test
  void forChild_appliesTheRuleToTheTimeLeftNow() {
    FakeTicker ticker = new FakeTicker(Long.MAX_VALUE - 1_000);
    Deadline parent = Deadline.after(Duration.ofMillis(300), ticker);
    ticker.advance(Duration.ofMillis(100));

    Deadline child = Deadline.forChild(parent, DeadlineSlack.DEFAULT, null, ticker);
    assertThat(child).isEqualTo(parent.offset(-Duration.ofMillis(20).toNanos()));
    assertThat(Deadline.forChild(parent, DeadlineSlack.DEFAULT, Duration.ofMillis(50), ticker))
        .isEqualTo(Deadline.after(Duration.ofMillis(50), ticker));
    assertThat(Deadline.forChild(null, DeadlineSlack.DEFAULT, null, ticker)).isNull();
  }

  @Test
  void badSettings_areRefusedByName() {
    assertThatThrownBy(() -> DeadlineSlack.of(1.5, Duration.ZERO))
        .hasMessage("fraction: 1.5 (expected: 0.0 <= fraction <= 1.0)");
    assertThatThrownBy(() -> DeadlineSlack.of(0.1, Duration.ofMillis(-1)))
        .hasMessage("max: PT-0.001S (expected: >= 0)");
  }
}
