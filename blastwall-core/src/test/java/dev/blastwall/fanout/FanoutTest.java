package dev.blastwall.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.fallback.Fallback;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class FanoutTest {

  private static final Duration DEADLINE = Duration.ofMillis(100);

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final Pipeline profiles = pipeline("profiles");
  private final Pipeline adServer = pipeline("ad-server");
  private final Pipeline ranker = pipeline("ranker");

  private final Fallback<String> chronological = Fallback.<String>builder()
      .onFailureKind(FailureKind.UNAVAILABLE)
      .withValue("chronological feed")
      .reason("ranker down: chronological")
      .build();

  @Test
  void allPartsAnswer() throws Exception {
    Script<String> profile = answering("alice", 10);
    Script<String> ads = answering("ad-1", 20);
    Script<String> recs = answering("ranked feed", 30);
    Fanout.Builder home = home();
    PartKey<String> profileKey = home.required("profile", profiles, Idempotency.IDEMPOTENT, profile);
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, ads, null);
    PartKey<String> recsKey = home.optional("recs", ranker, Idempotency.IDEMPOTENT, recs, chronological);

    CompletableFuture<FanoutResult> running = home.build().runAsync();

    assertThat(running).isNotDone();
    scheduler.advance(Duration.ofMillis(30));
    FanoutResult result = running.getNow(null);
    assertThat(result.isComplete()).isTrue();
    assertThat(result.isPartial()).isFalse();
    assertThat(result.isFailed()).isFalse();
    assertThat(result.requiredFailure()).isNull();
    assertThat(result.get(profileKey)).isEqualTo("alice");
    assertThat(result.get(adsKey)).isEqualTo("ad-1");
    assertThat(result.get(recsKey)).isEqualTo("ranked feed");
    assertThat(result.summary()).isEqualTo("3 of 3 parts ok");
    assertThat(result.elapsed()).isEqualTo(Duration.ofMillis(30));
    assertThat(result.part(adsKey).elapsed()).isEqualTo(Duration.ofMillis(20));
    assertThat(result.parts()).extracting(PartResult::status).containsOnly(PartStatus.OK);
    // Every part ran under the shared deadline, in a context of its own that nobody cancelled.
    for (Script<String> script : List.of(profile, ads, recs)) {
      assertThat(script.calls).isEqualTo(1);
      assertThat(Objects.requireNonNull(script.context().deadline()).remainingNanos())
          .isEqualTo(DEADLINE.minus(Duration.ofMillis(30)).toNanos());
      assertThat(script.cancelledAtNanos).isEqualTo(-1);
    }
    assertThat(profile.context().cancellation()).isNotSameAs(ads.context().cancellation());
    // The deadline timer went with the run.
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void aFailedOptionalPartGivesAPartialResultWithFlagsAndTheFallbackValue() throws Exception {
    RemoteFailure rankerDown = new RemoteFailure(FailureKind.UNAVAILABLE, "ranker down");
    RemoteFailure adsBroken = new RemoteFailure(FailureKind.INTERNAL, "ads broken");
    Fanout.Builder home = home();
    PartKey<String> profileKey = home.required("profile", profiles, Idempotency.IDEMPOTENT, answering("alice", 10));
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, failing(adsBroken, 15), null);
    PartKey<String> recsKey =
        home.optional("recs", ranker, Idempotency.IDEMPOTENT, failing(rankerDown, 20), chronological);

    CompletableFuture<FanoutResult> running = home.build().runAsync();
    scheduler.advance(Duration.ofMillis(20));

    FanoutResult result = running.getNow(null);
    assertThat(result.isPartial()).isTrue();
    assertThat(result.isComplete()).isFalse();
    assertThat(result.isFailed()).isFalse();
    assertThat(result.get(profileKey)).isEqualTo("alice");
    assertThat(result.status(recsKey)).isEqualTo(PartStatus.DEGRADED);
    assertThat(result.get(recsKey)).isEqualTo("chronological feed");
    assertThat(result.part(recsKey).reason()).isEqualTo("ranker down: chronological");
    assertThat(result.part(recsKey).cause()).isSameAs(rankerDown);
    assertThat(result.status(adsKey)).isEqualTo(PartStatus.FAILED);
    assertThat(result.get(adsKey)).isNull();
    assertThat(result.getOrDefault(adsKey, "no ads")).isEqualTo("no ads");
    assertThat(result.part("ads").cause()).isSameAs(adsBroken);
    assertThat(result.summary()).isEqualTo(
        "1 of 3 parts ok; ads: FAILED (RemoteFailure: ads broken); recs: DEGRADED (ranker down: chronological)");
    assertThat(result.elapsed()).isEqualTo(Duration.ofMillis(20));
  }

  @Test
  void anOptionalPartSlowerThanTheDeadlineTimesOutExactlyAtTheDeadline() throws Exception {
    Script<String> ads = answering("late ad", 500);
    Fanout.Builder home = home();
    PartKey<String> profileKey = home.required("profile", profiles, Idempotency.IDEMPOTENT, answering("alice", 10));
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, ads, null);

    CompletableFuture<FanoutResult> running = home.build().runAsync();
    scheduler.advance(DEADLINE.minusNanos(1));
    assertThat(running).isNotDone();
    assertThat(ads.cancelledAtNanos).isEqualTo(-1);
    scheduler.advanceNanos(1);

    FanoutResult result = running.getNow(null);
    assertThat(result.elapsed()).isEqualTo(DEADLINE);
    assertThat(result.isPartial()).isTrue();
    assertThat(result.get(profileKey)).isEqualTo("alice");
    assertThat(result.status(adsKey)).isEqualTo(PartStatus.TIMED_OUT);
    assertThat(result.get(adsKey)).isNull();
    assertThat(result.part(adsKey).cause())
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessage("ad-server: deadline: fanout \"home\" deadline passed while part \"ads\" was running "
            + "(attempts: 1, deadline: expired 0.0 ms ago)");
    assertThat(result.summary()).isEqualTo("1 of 2 parts ok; ads: TIMED_OUT");
    // Stopped at the deadline, not left running: its future and its context were both cancelled.
    assertThat(ads.future()).isCancelled();
    assertThat(ads.cancelledAtNanos).isEqualTo(DEADLINE.toNanos());
    // Its late answer changes nothing.
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(running.getNow(null)).isSameAs(result);
    assertThat(result.status(adsKey)).isEqualTo(PartStatus.TIMED_OUT);
  }

  @Test
  void aTimedOutOptionalPartGetsItsFallbackWhenItHandlesTheDeadline() throws Exception {
    Fallback<String> noAds = Fallback.<String>builder()
        .onFailureKind(FailureKind.DEADLINE_EXCEEDED)
        .withValue("house ad")
        .reason("ads too slow: house ad")
        .build();
    Fanout.Builder home = home();
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, answering("late ad", 500), noAds);

    CompletableFuture<FanoutResult> running = home.build().runAsync();
    scheduler.advance(DEADLINE);

    FanoutResult result = running.getNow(null);
    assertThat(result.status(adsKey)).isEqualTo(PartStatus.DEGRADED);
    assertThat(result.get(adsKey)).isEqualTo("house ad");
    assertThat(result.part(adsKey).cause()).isInstanceOf(DeadlineExceededException.class);
    assertThat(result.summary()).isEqualTo("0 of 1 parts ok; ads: DEGRADED (ads too slow: house ad)");
  }

  @Test
  void aFailedRequiredPartFailsTheFanoutAtOnceAndCancelsTheOthers() throws Exception {
    Pipeline retryingProfiles = Pipeline.builder("profiles").ticker(ticker).scheduler(scheduler)
        .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.constant(Duration.ofMillis(10))).build())
        .build();
    RemoteFailure down = new RemoteFailure(FailureKind.UNAVAILABLE, "profile db down");
    Script<String> profile = failing(down, 20);
    Script<String> ads = answering("ad-1", 80);
    Script<String> recs = answering("ranked feed", 90);
    Fanout.Builder home = home();
    PartKey<String> profileKey = home.required("profile", retryingProfiles, Idempotency.IDEMPOTENT, profile);
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, ads, null);
    PartKey<String> recsKey = home.optional("recs", ranker, Idempotency.IDEMPOTENT, recs, chronological);

    CompletableFuture<FanoutResult> running = home.build().runAsync();
    // First attempt fails at 20 ms, the retry starts at 30 ms and fails at 50 ms.
    scheduler.advance(Duration.ofMillis(49));
    assertThat(running).isNotDone();
    scheduler.advance(Duration.ofMillis(1));

    FanoutResult result = running.getNow(null);
    assertThat(profile.calls).isEqualTo(2);
    assertThat(result.elapsed()).isEqualTo(Duration.ofMillis(50));
    assertThat(result.isFailed()).isTrue();
    assertThat(result.isPartial()).isFalse();
    assertThat(result.isComplete()).isFalse();
    assertThat(result.failedPart()).isEqualTo("profile");
    assertThat(result.requiredFailure()).isInstanceOf(RetriesExhaustedException.class).hasCause(down);
    assertThat(result.status(profileKey)).isEqualTo(PartStatus.FAILED);
    assertThat(result.status(adsKey)).isEqualTo(PartStatus.CANCELLED);
    assertThat(result.status(recsKey)).isEqualTo(PartStatus.CANCELLED);
    assertThat(result.part(adsKey).cause())
        .isInstanceOf(CancellationException.class)
        .hasMessage("fanout \"home\": required part \"profile\" failed")
        .hasCause(result.requiredFailure());
    // The other parts saw their cancellation, at the moment the required part failed.
    for (Script<String> other : List.of(ads, recs)) {
      assertThat(other.future()).isCancelled();
      assertThat(other.cancelledAtNanos).isEqualTo(Duration.ofMillis(50).toNanos());
      assertThat(other.context().cancellation().cause()).isSameAs(result.part(adsKey).cause());
    }
    assertThat(result.summary()).startsWith("0 of 3 parts ok; profile: FAILED (RetriesExhaustedException: ")
        .endsWith("; ads: CANCELLED; recs: CANCELLED");
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void aRequiredPartFailingAtOnceLeavesTheLaterPartsUnstarted() {
    RemoteFailure invalid = new RemoteFailure(FailureKind.INVALID, "no such user");
    Script<String> later = answering("ad-1", 10);
    Fanout.Builder home = home();
    home.required("profile", profiles, Idempotency.IDEMPOTENT, () -> CompletableFuture.failedFuture(invalid));
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, later, null);

    FanoutResult result = home.build().runAsync().getNow(null);

    assertThat(result.isFailed()).isTrue();
    assertThat(result.requiredFailure()).isSameAs(invalid);
    assertThat(result.status(adsKey)).isEqualTo(PartStatus.CANCELLED);
    assertThat(later.calls).isZero();
    assertThat(result.elapsed()).isZero();
  }

  @Test
  void aTighterCallerDeadlineWins() throws Exception {
    Script<String> profile = answering("alice", 10);
    Script<String> ads = answering("ad-1", 80);
    Fanout.Builder home = home();
    home.required("profile", profiles, Idempotency.IDEMPOTENT, profile);
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, ads, null);
    Fanout fanout = home.build();
    CallContext caller = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofMillis(50), ticker));

    CompletableFuture<FanoutResult> running = caller.call(fanout::runAsync);
    assertThat(Objects.requireNonNull(ads.context().deadline()).remainingNanos())
        .isEqualTo(Duration.ofMillis(50).toNanos());
    scheduler.advance(Duration.ofMillis(50));

    FanoutResult result = running.getNow(null);
    assertThat(result.elapsed()).isEqualTo(Duration.ofMillis(50));
    assertThat(result.status(adsKey)).isEqualTo(PartStatus.TIMED_OUT);
    assertThat(ads.cancelledAtNanos).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(result.summary()).isEqualTo("1 of 2 parts ok; ads: TIMED_OUT");
  }

  @Test
  void aLooserCallerDeadlineDoesNotExtendTheFanouts() throws Exception {
    Script<String> ads = answering("ad-1", 150);
    Fanout.Builder home = home();
    PartKey<String> adsKey = home.optional("ads", adServer, Idempotency.IDEMPOTENT, ads, null);
    CallContext caller = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(1), ticker));

    CompletableFuture<FanoutResult> running = caller.call(home.build()::runAsync);
    scheduler.advance(DEADLINE);

    assertThat(running.getNow(null).status(adsKey)).isEqualTo(PartStatus.TIMED_OUT);
  }

  @Test
  void anExpiredCallerDeadlineStartsNothing() throws Exception {
    Script<String> profile = answering("alice", 10);
    Fanout.Builder home = home();
    PartKey<String> profileKey = home.required("profile", profiles, Idempotency.IDEMPOTENT, profile);
    CallContext caller = CallContext.ROOT.withDeadline(Deadline.after(Duration.ZERO, ticker));

    FanoutResult result = caller.call(home.build()::runAsync).getNow(null);

    assertThat(profile.calls).isZero();
    assertThat(result.status(profileKey)).isEqualTo(PartStatus.TIMED_OUT);
    assertThat(result.isFailed()).isTrue();
    assertThat(result.requiredFailure()).isInstanceOf(DeadlineExceededException.class);
  }

  @Test
  void tenPartsWithThreeFailingGiveSevenOfTen() throws Exception {
    Fallback<String> stale = Fallback.<String>builder().onAnyFailure().withValue("cached").reason("stale: cached")
        .build();
    Fanout.Builder page = home();
    List<PartKey<String>> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String name = "part" + i;
      Supplier<CompletionStage<String>> task = switch (i) {
        case 2 -> failing(new RemoteFailure(FailureKind.INTERNAL, "down"), 30);
        case 5 -> answering("too late", 400);
        case 8 -> failing(new RemoteFailure(FailureKind.UNAVAILABLE, "gone"), 40);
        default -> answering("value" + i, 10 + i);
      };
      keys.add(i == 0
          ? page.required(name, profiles, Idempotency.IDEMPOTENT, task)
          : page.optional(name, adServer, Idempotency.IDEMPOTENT, task, i == 8 ? stale : null));
    }

    CompletableFuture<FanoutResult> running = page.build().runAsync();
    scheduler.advance(DEADLINE);

    FanoutResult result = running.getNow(null);
    assertThat(result.okCount()).isEqualTo(7);
    assertThat(result.isPartial()).isTrue();
    assertThat(result.summary()).isEqualTo(
        "7 of 10 parts ok; part2: FAILED (RemoteFailure: down); part5: TIMED_OUT; part8: DEGRADED (stale: cached)");
    assertThat(result.get(keys.get(7))).isEqualTo("value7");
    assertThat(result.get(keys.get(8))).isEqualTo("cached");
    assertThat(result.get(keys.get(5))).isNull();
  }

  @Test
  void aRejectedResultDegradesAnOptionalPart() {
    Fallback<String> nonEmpty = Fallback.<String>builder().onResult(String::isEmpty).withValue("default")
        .reason("empty answer").build();
    Fanout.Builder home = home();
    PartKey<String> recsKey =
        home.optional("recs", ranker, Idempotency.IDEMPOTENT, () -> CompletableFuture.completedFuture(""), nonEmpty);

    FanoutResult result = home.build().runAsync().getNow(null);

    assertThat(result.status(recsKey)).isEqualTo(PartStatus.DEGRADED);
    assertThat(result.get(recsKey)).isEqualTo("default");
    assertThat(result.part(recsKey).cause()).isNull();
  }

  @Test
  void aThrowingFallbackFailsThePart() {
    RemoteFailure down = new RemoteFailure(FailureKind.UNAVAILABLE, "down");
    IllegalStateException noCache = new IllegalStateException("no cache");
    Fallback<String> broken = Fallback.<String>builder().onAnyFailure().with(failure -> {
      throw noCache;
    }).build();
    Fanout.Builder home = home();
    PartKey<String> recsKey =
        home.optional("recs", ranker, Idempotency.IDEMPOTENT, () -> CompletableFuture.failedFuture(down), broken);

    FanoutResult result = home.build().runAsync().getNow(null);

    assertThat(result.status(recsKey)).isEqualTo(PartStatus.FAILED);
    assertThat(result.part(recsKey).cause()).isSameAs(noCache);
    assertThat(noCache.getSuppressed()).containsExactly(down);
  }

  @Test
  void cancellingTheResultCancelsTheParts() {
    Script<String> ads = answering("ad-1", 50);
    Fanout.Builder home = home();
    home.optional("ads", adServer, Idempotency.IDEMPOTENT, ads, null);

    CompletableFuture<FanoutResult> running = home.build().runAsync();
    scheduler.advance(Duration.ofMillis(5));
    running.cancel(true);

    assertThat(ads.future()).isCancelled();
    assertThat(ads.cancelledAtNanos).isEqualTo(Duration.ofMillis(5).toNanos());
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void theCallerCancellingItsContextCancelsTheParts() throws Exception {
    Script<String> profile = answering("alice", 50);
    Fanout.Builder home = home();
    PartKey<String> profileKey = home.required("profile", profiles, Idempotency.IDEMPOTENT, profile);
    CallContext caller = CallContext.ROOT.withChildCancellation();

    CompletableFuture<FanoutResult> running = caller.call(home.build()::runAsync);
    scheduler.advance(Duration.ofMillis(5));
    CancellationException gaveUp = new CancellationException("client went away");
    caller.cancellation().cancel(gaveUp);

    FanoutResult result = running.getNow(null);
    assertThat(result.status(profileKey)).isEqualTo(PartStatus.CANCELLED);
    assertThat(result.requiredFailure()).isSameAs(gaveUp);
    assertThat(profile.future()).isCancelled();
    assertThat(result.elapsed()).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void blockingRunGivesTheSameResultAsRunAsync() throws Exception {
    AtomicReference<CountDownLatch> starts = new AtomicReference<>(new CountDownLatch(3));
    Fanout.Builder home = home();
    PartKey<String> profileKey =
        home.required("profile", profiles, Idempotency.IDEMPOTENT, counting(starts, answering("alice", 10)));
    home.optional("ads", adServer, Idempotency.IDEMPOTENT, counting(starts, answering("late", 300)), null);
    home.optional("recs", ranker, Idempotency.IDEMPOTENT,
        counting(starts, failing(new RemoteFailure(FailureKind.UNAVAILABLE, "ranker down"), 20)), chronological);
    Fanout fanout = home.build();

    CompletableFuture<FanoutResult> async = fanout.runAsync();
    scheduler.advance(DEADLINE);
    FanoutResult expected = async.getNow(null);

    CountDownLatch blockingStarts = new CountDownLatch(3);
    starts.set(blockingStarts);
    CompletableFuture<FanoutResult> blocking = new CompletableFuture<>();
    Thread runner = Thread.ofVirtual().start(() -> {
      try {
        blocking.complete(fanout.run());
      } catch (Throwable failure) {
        blocking.completeExceptionally(failure);
      }
    });
    // Fake time may move only once the run is set up, or parts would end before their pipelines listen. All
    // three parts have started once the latch opens; the runner parks only in run()'s wait, since nothing
    // else it does can block while this thread stays off the scheduler.
    blockingStarts.await();
    while (runner.getState() != Thread.State.WAITING) {
      Thread.onSpinWait();
    }
    scheduler.advance(DEADLINE);
    FanoutResult actual = blocking.get(10, TimeUnit.SECONDS);
    runner.join();

    assertThat(actual).isNotSameAs(expected);
    assertThat(actual.summary()).isEqualTo(expected.summary())
        .isEqualTo("1 of 3 parts ok; ads: TIMED_OUT; recs: DEGRADED (ranker down: chronological)");
    assertThat(actual.elapsed()).isEqualTo(expected.elapsed()).isEqualTo(DEADLINE);
    assertThat(actual.get(profileKey)).isEqualTo(expected.get(profileKey)).isEqualTo("alice");
    assertThat(actual.parts()).extracting(PartResult::status)
        .containsExactlyElementsOf(expected.parts().stream().map(PartResult::status).toList());
  }

  // --- configuration ------------------------------------------------------------------------------------------

  @Test
  void badConfigurationIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fanout.builder(""))
        .withMessage("name: \"\" (expected: a non-blank name)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fanout.builder("home").deadline(Duration.ZERO))
        .withMessage("deadline: PT0S (expected: > 0)");
    assertThatIllegalStateException()
        .isThrownBy(() -> Fanout.builder("home").deadline(DEADLINE).deadline(DEADLINE))
        .withMessage("deadline was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> Fanout.builder("home").build())
        .withMessage("parts: 0 (expected: at least one part)");
    Fanout.Builder home = home();
    home.optional("ads", adServer, Idempotency.IDEMPOTENT, answering("a", 1), null);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> home.required("ads", adServer, Idempotency.IDEMPOTENT, answering("a", 1)))
        .withMessage("part: \"ads\" (expected: a name no other part of \"home\" has)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> home.required(" ", adServer, Idempotency.IDEMPOTENT, answering("a", 1)))
        .withMessage("part: \" \" (expected: a non-blank name)");
  }

  @Test
  void aKeyWorksOnlyWithItsOwnFanout() {
    Fanout.Builder first = home();
    PartKey<String> firstKey = first.optional("ads", adServer, Idempotency.IDEMPOTENT,
        () -> CompletableFuture.completedFuture("a"), null);
    Fanout.Builder second = home();
    second.optional("ads", adServer, Idempotency.IDEMPOTENT, () -> CompletableFuture.completedFuture("b"), null);

    FanoutResult result = second.build().runAsync().getNow(null);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> result.get(firstKey))
        .withMessage("key: PartKey[ads, optional] (expected: a part of fanout \"home\")");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> result.part("recs"))
        .withMessage("part: \"recs\" (expected: a part of fanout \"home\")");
  }

  // --- scripted parts -----------------------------------------------------------------------------------------

  /** Counts the part's start on whichever latch is current, after the part scheduled its answer. */
  private static Supplier<CompletionStage<String>> counting(AtomicReference<CountDownLatch> starts,
      Script<String> script) {
    return () -> {
      CompletionStage<String> stage = script.get();
      starts.get().countDown();
      return stage;
    };
  }

  private Fanout.Builder home() {
    return Fanout.builder("home").deadline(DEADLINE).ticker(ticker).scheduler(scheduler);
  }

  private Pipeline pipeline(String upstream) {
    return Pipeline.builder(upstream).ticker(ticker).scheduler(scheduler).build();
  }

  private Script<String> answering(String value, long afterMillis) {
    return new Script<>(value, null, afterMillis);
  }

  private Script<String> failing(Throwable failure, long afterMillis) {
    return new Script<>(null, failure, afterMillis);
  }

  /**
   * A remote call that answers (or fails) a fixed fake time after each attempt starts, and remembers what it
   * saw: the context it ran in, its future, and when that context was cancelled.
   */
  private final class Script<T> implements Supplier<CompletionStage<T>> {
    private final @Nullable T value;
    private final @Nullable Throwable failure;
    private final long delayNanos;
    int calls;
    long cancelledAtNanos = -1;
    private @Nullable CallContext context;
    private @Nullable CompletableFuture<T> future;

    Script(@Nullable T value, @Nullable Throwable failure, long afterMillis) {
      this.value = value;
      this.failure = failure;
      this.delayNanos = TimeUnit.MILLISECONDS.toNanos(afterMillis);
    }

    @Override
    public CompletionStage<T> get() {
      calls++;
      CallContext current = CallContext.current();
      CompletableFuture<T> attempt = new CompletableFuture<>();
      context = current;
      future = attempt;
      current.cancellation().onCancel(() -> cancelledAtNanos = ticker.nanos());
      Cancellable answer = scheduler.schedule(() -> {
        if (failure != null) {
          attempt.completeExceptionally(failure);
        } else {
          attempt.complete(Objects.requireNonNull(value));
        }
      }, delayNanos);
      // Like a real client aborting its request, so that tests can check nothing else is left scheduled.
      var unused = attempt.whenComplete((result, thrown) -> {
        if (attempt.isCancelled()) {
          answer.cancel();
        }
      });
      return attempt;
    }

    CallContext context() {
      return Objects.requireNonNull(context, "not called");
    }

    CompletableFuture<T> future() {
      return Objects.requireNonNull(future, "not called");
    }
  }
}
