package dev.blastwall.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.testkit.PropertyCheck;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CallContextTest {

  private static final BaggageKey<String> TENANT = BaggageKey.of("tenant", String.class);
  private static final BaggageKey<Long> REQUEST_ID = BaggageKey.of("request-id", Long.class);

  private record TwoMillis(long first, long second) {}

  private final FakeTicker ticker = new FakeTicker(Duration.ofSeconds(3).toNanos());

  @AfterEach
  void noContextLeftOnTheTestThread() {
    assertThat(CallContext.current()).isSameAs(CallContext.ROOT);
  }

  private static long ms(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  private CallContext tenant(String name) {
    return CallContext.ROOT.with(TENANT, name);
  }

  // --- binding ------------------------------------------------------------------------------------------------

  @Nested
  class Binding {

    @Test
    void currentIsRootOutsideAnyCall() throws Exception {
      assertThat(CallContext.current()).isSameAs(CallContext.ROOT);
      assertThat(CallContext.ROOT.deadline()).isNull();
      assertThat(CallContext.ROOT.criticality()).isEqualTo(Criticality.CRITICAL);
      assertThat(CallContext.ROOT.idempotency()).isEqualTo(Idempotency.NON_IDEMPOTENT);
      assertThat(CallContext.ROOT.attempt()).isEqualTo(1);
      assertThat(CallContext.ROOT.attemptKind()).isEqualTo(AttemptKind.ORIGINAL);
      assertThat(CallContext.ROOT.cancellation()).isSameAs(Cancellation.NEVER);
      assertThat(CallContext.ROOT.isCancelled()).isFalse();

      CompletableFuture<CallContext> onAVirtualThread = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> onAVirtualThread.complete(CallContext.current())).join();
      assertThat(onAVirtualThread.get()).isSameAs(CallContext.ROOT);
    }

    @Test
    void runBindsTheContextAndRestoresRootAfter() {
      CallContext context = tenant("acme");
      CallContext[] seen = new CallContext[1];

      context.run(() -> seen[0] = CallContext.current());

      assertThat(seen[0]).isSameAs(context);
      assertThat(CallContext.current()).isSameAs(CallContext.ROOT);
    }

    @Test
    void callBindsTheContextReturnsTheValueAndRestoresAfter() throws Exception {
      CallContext context = tenant("acme");

      String tenant = context.call(() -> CallContext.current().get(TENANT));

      assertThat(tenant).isEqualTo("acme");
      assertThat(CallContext.current()).isSameAs(CallContext.ROOT);
    }

    @Test
    void nestedBindingsRestoreTheOuterContext() throws Exception {
      CallContext outer = tenant("outer");
      CallContext inner = tenant("inner");

      outer.run(() -> {
        inner.run(() -> assertThat(CallContext.current()).isSameAs(inner));
        assertThat(CallContext.current()).isSameAs(outer);
      });
      String seen = outer.call(() -> inner.call(() -> CallContext.current().get(TENANT)));

      assertThat(seen).isEqualTo("inner");
    }

    @Test
    void bindingIsRestoredWhenTheTaskThrows() {
      CallContext outer = tenant("outer");
      CallContext inner = tenant("inner");
      IOException checked = new IOException("call failed");
      IllegalStateException unchecked = new IllegalStateException("run failed");

      outer.run(() -> {
        assertThatThrownBy(() -> inner.call(() -> {
          throw checked;
        })).isSameAs(checked);
        assertThat(CallContext.current()).isSameAs(outer);
        assertThatThrownBy(() -> inner.run(() -> {
          throw unchecked;
        })).isSameAs(unchecked);
        assertThat(CallContext.current()).isSameAs(outer);
      });
      assertThat(CallContext.current()).isSameAs(CallContext.ROOT);
    }

    @Test
    void bindingRootInsideACallShowsRootAndRestoresTheCall() {
      CallContext outer = tenant("outer");

      outer.run(() -> {
        CallContext.ROOT.run(() -> assertThat(CallContext.current()).isSameAs(CallContext.ROOT));
        assertThat(CallContext.current()).isSameAs(outer);
      });
    }

    @Test
    void attachAndDetachPairUp() {
      CallContext outer = tenant("outer");
      CallContext inner = tenant("inner");

      CallContext beforeOuter = outer.attach();
      try {
        CallContext beforeInner = inner.attach();
        try {
          assertThat(CallContext.current()).isSameAs(inner);
        } finally {
          inner.detach(beforeInner);
        }
        assertThat(beforeInner).isSameAs(outer);
        assertThat(CallContext.current()).isSameAs(outer);
      } finally {
        outer.detach(beforeOuter);
      }
      assertThat(beforeOuter).isSameAs(CallContext.ROOT);
    }

    @Test
    void wrappedRunnableAndCallableBindTheirContextWhereverTheyRun() throws Exception {
      CallContext context = tenant("acme");
      CallContext[] seen = new CallContext[1];
      Runnable record = () -> seen[0] = CallContext.current();
      Runnable runnable = context.wrap(record);
      Callable<@Nullable String> callable = context.wrap(() -> CallContext.current().get(TENANT));

      runnable.run();

      assertThat(seen[0]).isSameAs(context);
      assertThat(callable.call()).isEqualTo("acme");
    }
  }

  // --- derived contexts -----------------------------------------------------------------------------------------

  @Nested
  class Deadlines {

    @Test
    void nestedCallInheritsTheTighterDeadline() throws Exception {
      Deadline parentDeadline = Deadline.after(Duration.ofMillis(100), ticker);
      CallContext parent = CallContext.ROOT.withDeadline(parentDeadline);

      CallContext looser = parent.withDeadline(Deadline.after(Duration.ofMillis(200), ticker));
      Deadline tighterDeadline = Deadline.after(Duration.ofMillis(50), ticker);
      CallContext tighter = parent.withDeadline(tighterDeadline);

      assertThat(looser).as("a nested call never gets more time").isSameAs(parent);
      assertThat(looser.deadline()).isSameAs(parentDeadline);
      assertThat(tighter.deadline()).isSameAs(tighterDeadline);
      assertThat(parent.withDeadline(null)).isSameAs(parent);
      assertThat(CallContext.ROOT.withDeadline(null)).isSameAs(CallContext.ROOT);
      // The same through binding: code in the nested call sees what is left of the caller's time.
      ticker.advance(Duration.ofMillis(30));
      long remaining = parent.call(() -> {
        Deadline seen = CallContext.current().withDeadline(Deadline.after(Duration.ofSeconds(5), ticker)).deadline();
        return seen == null ? -1 : seen.remainingNanos();
      });
      assertThat(remaining).isEqualTo(ms(70));
    }

    @Test
    void withDeadlineAlwaysKeepsTheEarlierOne() {
      PropertyCheck.forAll(random -> new TwoMillis(
              PropertyCheck.edgeOr(random, -1_000L, 10_000L, 0L, 1L),
              PropertyCheck.edgeOr(random, -1_000L, 10_000L, 0L, 1L)),
          millis -> {
            Deadline first = Deadline.after(Duration.ofMillis(millis.first()), ticker);
            Deadline second = Deadline.after(Duration.ofMillis(millis.second()), ticker);
            Deadline kept = CallContext.ROOT.withDeadline(first).withDeadline(second).deadline();
            assertThat(Objects.requireNonNull(kept, "deadline").remainingNanos()).isEqualTo(ms(Math.min(millis.first(), millis.second())));
          });
    }

    @Test
    void expiredDeadlineMakesTheContextCancelled() {
      CallContext context = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofMillis(10), ticker));

      assertThat(context.isCancelled()).isFalse();
      ticker.advance(Duration.ofMillis(10));
      assertThat(context.isCancelled()).isTrue();
    }

    @Test
    void childCancellationFollowsTheParentContext() {
      CallContext parent = CallContext.ROOT.withChildCancellation();
      CallContext child = parent.withChildCancellation();

      child.cancellation().cancel(new IllegalStateException("child only"));
      assertThat(parent.isCancelled()).isFalse();

      CallContext sibling = parent.withChildCancellation();
      parent.cancellation().cancel(new IllegalStateException("all"));
      assertThat(sibling.isCancelled()).isTrue();
    }

    @Test
    void forAttemptKeepsEverythingButTheAttemptAndItsCancellation() {
      Deadline deadline = Deadline.after(Duration.ofMillis(100), ticker);
      CallContext call = CallContext.ROOT.withDeadline(deadline).withCriticality(Criticality.SHEDDABLE)
          .withIdempotency(Idempotency.withKey("k-9")).withDoNotRetry(true).with(TENANT, "acme");
      Cancellation attemptCancellation = call.cancellation().child();

      CallContext attempt = call.forAttempt(2, AttemptKind.RETRY, attemptCancellation);

      assertThat(attempt.attempt()).isEqualTo(2);
      assertThat(attempt.attemptKind()).isEqualTo(AttemptKind.RETRY);
      assertThat(attempt.isRepeat()).isTrue();
      assertThat(attempt.cancellation()).isSameAs(attemptCancellation);
      assertThat(attempt.deadline()).isSameAs(deadline);
      assertThat(attempt.criticality()).isEqualTo(Criticality.SHEDDABLE);
      assertThat(attempt.idempotency()).isEqualTo(Idempotency.withKey("k-9"));
      assertThat(attempt.doNotRetry()).isTrue();
      assertThat(attempt.get(TENANT)).isEqualTo("acme");
      assertThatThrownBy(() -> call.forAttempt(0, AttemptKind.ORIGINAL, attemptCancellation))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("attemptNumber: 0 (expected: 1 <= attemptNumber <= 2147483647)");
    }

    @Test
    void unchangedValuesReturnTheSameContext() {
      CallContext context = tenant("acme");

      assertThat(context.withCriticality(Criticality.CRITICAL)).isSameAs(context);
      assertThat(context.withIdempotency(Idempotency.NON_IDEMPOTENT)).isSameAs(context);
      assertThat(context.withDoNotRetry(false)).isSameAs(context);
      assertThat(context.withDoNotRetry(true)).isNotSameAs(context).satisfies(changed -> {
        assertThat(changed.doNotRetry()).isTrue();
        assertThat(context.doNotRetry()).isFalse();
      });
    }
  }

  // --- executors ----------------------------------------------------------------------------------------------

  @Nested
  class OnExecutors {

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ExecutorService single = Executors.newSingleThreadExecutor();
    private final ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void shutDown() {
      pool.shutdownNow();
      single.shutdownNow();
      virtual.shutdownNow();
    }

    private <T> T await(Future<T> future) throws Exception {
      return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void wrappedExecutorCarriesTheSubmittersContextToAPoolThread() throws Exception {
      Executor executor = CallContext.wrap((Executor) pool);
      CallContext context = tenant("acme");
      CompletableFuture<CallContext> seen = new CompletableFuture<>();
      CompletableFuture<Thread> ranOn = new CompletableFuture<>();

      context.run(() -> executor.execute(() -> {
        ranOn.complete(Thread.currentThread());
        seen.complete(CallContext.current());
      }));

      assertThat(await(seen)).isSameAs(context);
      assertThat(await(ranOn)).isNotSameAs(Thread.currentThread());
      assertThat(await(ranOn).isVirtual()).isFalse();
    }

    @Test
    void wrappedExecutorServiceCarriesTheSubmittersContextToAPoolThread() throws Exception {
      ExecutorService executor = CallContext.wrap(pool);
      CallContext context = tenant("acme");

      Future<String> viaCallable = context.call(() -> executor.submit(
          () -> String.valueOf(CallContext.current().get(TENANT))));
      CompletableFuture<CallContext> viaRunnable = new CompletableFuture<>();
      Runnable recordContext = () -> viaRunnable.complete(CallContext.current());
      Future<?> runnableDone = context.call(() -> executor.submit(recordContext));
      Future<String> withResult = context.call(() -> executor.submit(() -> {
        assertThat(CallContext.current()).isSameAs(context);
      }, "done"));

      assertThat(await(viaCallable)).isEqualTo("acme");
      await(runnableDone);
      assertThat(await(viaRunnable)).isSameAs(context);
      assertThat(await(withResult)).isEqualTo("done");
    }

    @Test
    void wrappedExecutorServiceCarriesTheContextToVirtualThreads() throws Exception {
      ExecutorService executor = CallContext.wrap(virtual);
      CallContext context = tenant("acme").withDeadline(Deadline.after(Duration.ofMillis(100), ticker));

      Future<CallContext> seen = context.call(() -> executor.submit(() -> {
        assertThat(Thread.currentThread().isVirtual()).isTrue();
        return CallContext.current();
      }));

      assertThat(await(seen)).isSameAs(context);
    }

    @Test
    void invokeAllAndInvokeAnyCarryTheContext() throws Exception {
      ExecutorService executor = CallContext.wrap(pool);
      CallContext context = tenant("acme");
      Callable<String> readTenant = () -> String.valueOf(CallContext.current().get(TENANT));

      List<Future<String>> all = context.call(() -> executor.invokeAll(List.of(readTenant, readTenant)));
      String any = context.call(() -> executor.invokeAny(List.of(readTenant, readTenant)));

      assertThat(all).hasSize(2);
      for (Future<String> future : all) {
        assertThat(await(future)).isEqualTo("acme");
      }
      assertThat(any).isEqualTo("acme");
    }

    @Test
    void theContextIsTakenWhenTheTaskIsSubmittedNotWhenItRuns() throws Exception {
      ExecutorService executor = CallContext.wrap(single);
      CountDownLatch release = new CountDownLatch(1);
      // Keep the only pool thread busy, so the next task runs after its submitter's call has ended.
      Future<?> blocker = single.submit(() -> {
        release.await(10, TimeUnit.SECONDS);
        return null;
      });
      CallContext context = tenant("acme");

      Future<CallContext> seen = context.call(() -> executor.submit(CallContext::current));
      release.countDown();

      await(blocker);
      assertThat(await(seen)).isSameAs(context);
    }

    @Test
    void aPooledThreadThatRanAWrappedTaskShowsRootToTheNextUnwrappedOne() throws Exception {
      ExecutorService executor = CallContext.wrap(single);
      CallContext context = tenant("acme");

      Thread first = await(context.call(() -> executor.submit(() -> {
        assertThat(CallContext.current()).isSameAs(context);
        return Thread.currentThread();
      })));
      Future<CallContext> unwrapped = single.submit(CallContext::current);
      Future<Thread> sameThread = single.submit(Thread::currentThread);

      assertThat(await(unwrapped)).isSameAs(CallContext.ROOT);
      assertThat(await(sameThread)).isSameAs(first);
    }

    @Test
    void aWrappedTaskThatThrowsLeavesNoContextOnItsThread() throws Exception {
      ExecutorService executor = CallContext.wrap(single);
      CallContext context = tenant("acme");

      Future<Object> failed = context.call(() -> executor.submit(() -> {
        throw new IOException("task failed");
      }));
      assertThatThrownBy(() -> await(failed)).hasCauseInstanceOf(IOException.class);

      assertThat(await(single.submit(CallContext::current))).isSameAs(CallContext.ROOT);
    }

    @Test
    void submittingOutsideAnyCallRunsUnderRoot() throws Exception {
      ExecutorService executor = CallContext.wrap(single);

      assertThat(await(executor.submit(CallContext::current))).isSameAs(CallContext.ROOT);
    }

    @Test
    void wrappedExecutorServiceDelegatesLifecycle() throws Exception {
      ExecutorService executor = CallContext.wrap(single);

      assertThat(executor.isShutdown()).isFalse();
      executor.shutdown();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(single.isShutdown()).isTrue();
      assertThat(executor.isTerminated()).isTrue();
    }
  }

  // --- baggage ------------------------------------------------------------------------------------------------

  @Nested
  class Baggage {

    @Test
    void valuesAreTypedPerKey() {
      CallContext context = CallContext.ROOT.with(TENANT, "acme").with(REQUEST_ID, 42L);

      String tenant = context.get(TENANT);
      Long requestId = context.get(REQUEST_ID);

      assertThat(tenant).isEqualTo("acme");
      assertThat(requestId).isEqualTo(42L);
      assertThat(CallContext.ROOT.get(TENANT)).isNull();
    }

    @Test
    void keysCompareByIdentityNotByName() {
      BaggageKey<String> otherTenant = BaggageKey.of("tenant", String.class);
      CallContext context = CallContext.ROOT.with(TENANT, "ours").with(otherTenant, "theirs");

      assertThat(context.get(TENANT)).isEqualTo("ours");
      assertThat(context.get(otherTenant)).isEqualTo("theirs");
    }

    @Test
    void withReplacesAValueAndLeavesTheOriginalUnchanged() {
      CallContext original = CallContext.ROOT.with(TENANT, "acme").with(REQUEST_ID, 1L);

      CallContext replaced = original.with(TENANT, "globex");

      assertThat(replaced.get(TENANT)).isEqualTo("globex");
      assertThat(replaced.get(REQUEST_ID)).isEqualTo(1L);
      assertThat(original.get(TENANT)).isEqualTo("acme");
    }

    @Test
    void nullRemovesAValue() {
      CallContext context = CallContext.ROOT.with(TENANT, "acme").with(REQUEST_ID, 1L);

      CallContext removed = context.with(TENANT, null);

      assertThat(removed.get(TENANT)).isNull();
      assertThat(removed.get(REQUEST_ID)).isEqualTo(1L);
      assertThat(context.get(TENANT)).isEqualTo("acme");
      assertThat(removed.with(TENANT, null)).as("removing what is not there").isSameAs(removed);
      assertThat(removed.with(TENANT, "back").get(TENANT)).isEqualTo("back");
    }

    @Test
    void atMostSixteenEntries() {
      CallContext full = CallContext.ROOT;
      List<BaggageKey<Integer>> keys = new ArrayList<>();
      for (int i = 0; i < CallContext.MAX_BAGGAGE_ENTRIES; i++) {
        BaggageKey<Integer> key = BaggageKey.of("key-" + i, Integer.class);
        keys.add(key);
        full = full.with(key, i);
      }
      CallContext sixteen = full;

      assertThatThrownBy(() -> sixteen.with(TENANT, "one too many"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("baggage entries: 17 (expected: <= 16)");
      assertThat(sixteen.with(keys.get(3), 300).get(keys.get(3))).as("replacing at the limit").isEqualTo(300);
      assertThat(sixteen.with(keys.get(0), null).with(TENANT, "fits again").get(TENANT)).isEqualTo("fits again");
      for (int i = 0; i < keys.size(); i++) {
        assertThat(sixteen.get(keys.get(i))).isEqualTo(i);
      }
    }

    @Test
    void keyNamesMustNotBeBlank() {
      assertThatThrownBy(() -> BaggageKey.of(" ", String.class))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("name: \" \" (expected: a non-blank name)");
    }

    @Test
    void baggageTravelsThroughDerivedContexts() {
      CallContext context = tenant("acme").withCriticality(Criticality.SHEDDABLE).withDoNotRetry(true)
          .withIdempotency(Idempotency.IDEMPOTENT).withChildCancellation()
          .withDeadline(Deadline.after(Duration.ofMillis(5), ticker));

      assertThat(context.get(TENANT)).isEqualTo("acme");
      assertThat(context.toString()).contains("tenant=acme").contains("SHEDDABLE").contains("do-not-retry");
    }
  }

  // --- idempotency --------------------------------------------------------------------------------------------

  @Nested
  class IdempotencyKeys {

    private static final String EXPECTED = " (expected: 1 to 255 visible ASCII characters)";

    @Test
    void acceptsVisibleAsciiUpTo255Characters() {
      String longest = "k".repeat(Idempotency.MAX_KEY_LENGTH);

      assertThat(Idempotency.withKey(longest).key()).isEqualTo(longest);
      assertThat(Idempotency.withKey("!").key()).isEqualTo("!");
      assertThat(Idempotency.withKey("~order-42~").isRepeatable()).isTrue();
      assertThat(Idempotency.withKey("k").idempotent()).isFalse();
    }

    @Test
    void rejectsAnEmptyKey() {
      assertThatThrownBy(() -> Idempotency.withKey(""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key: \"\"" + EXPECTED);
    }

    @Test
    void rejectsAKeyLongerThan255Characters() {
      String tooLong = "k".repeat(Idempotency.MAX_KEY_LENGTH + 1);

      assertThatThrownBy(() -> Idempotency.withKey(tooLong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key: \"" + "k".repeat(64) + "\"... (256 chars)" + EXPECTED);
    }

    @Test
    void rejectsNonAsciiAndInvisibleCharacters() {
      assertThatThrownBy(() -> Idempotency.withKey("clé-1"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key: \"cl\\u00e9-1\"" + EXPECTED);
      assertThatThrownBy(() -> Idempotency.withKey("order 42"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key: \"order 42\"" + EXPECTED);
      assertThatThrownBy(() -> Idempotency.withKey("tab\there"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key: \"tab\\x09here\"" + EXPECTED);
      assertThatThrownBy(() -> new Idempotency(true, "\u007f"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key: \"\\x7f\"" + EXPECTED);
    }

    @Test
    void repeatableWhenIdempotentOrKeyed() {
      assertThat(Idempotency.IDEMPOTENT.isRepeatable()).isTrue();
      assertThat(Idempotency.NON_IDEMPOTENT.isRepeatable()).isFalse();
      assertThat(Idempotency.withKey("k-1").isRepeatable()).isTrue();
      assertThat(Idempotency.withKey("k-1")).isEqualTo(new Idempotency(false, "k-1"));
    }
  }
}
