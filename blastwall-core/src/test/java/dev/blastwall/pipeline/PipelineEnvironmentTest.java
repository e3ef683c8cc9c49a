package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.testing.FakeEnvironment;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Environment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A pipeline takes its ticker, scheduler and random source from one environment. */
class PipelineEnvironmentTest {

  private final FakeEnvironment fake = new FakeEnvironment();

  @Test
  void theEnvironmentsSchedulerAndTickerTimeTheCall() {
    Pipeline pipeline = Pipeline.builder("inventory").environment(fake.environment())
        .timeout(Duration.ofMillis(300)).build();
    CompletableFuture<String> call = pipeline.callAsync(CompletableFuture::new);

    fake.advance(Duration.ofMillis(299));
    assertThat(call).isNotDone();
    fake.advance(Duration.ofMillis(1));

    assertThatThrownBy(call::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DeadlineExceededException.class);
    assertThat(pipeline.environment()).isSameAs(fake.environment());
  }

  @Test
  void aPartSetOnItsOwn_replacesThatPartOfTheEnvironmentOnly() {
    FakeTicker other = new FakeTicker();
    Pipeline pipeline = Pipeline.builder("inventory").environment(fake.environment()).ticker(other).build();

    assertThat(pipeline.environment().ticker()).isSameAs(other);
    assertThat(pipeline.environment().scheduler()).isSameAs(fake.scheduler());
    assertThat(pipeline.environment().random()).isSameAs(fake.environment().random());
    assertThat(Pipeline.builder("inventory").build().environment()).isSameAs(Environment.system());
  }

  @Test
  void theEnvironmentIsSetOnce() {
    Pipeline.Builder builder = Pipeline.builder("inventory").environment(fake.environment());

    assertThatThrownBy(() -> builder.environment(Environment.system()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("environment was already set (expected: set once)");
  }
}
