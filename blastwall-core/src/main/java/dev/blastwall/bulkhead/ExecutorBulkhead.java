package dev.blastwall.bulkhead;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Runs the calls to one upstream on threads of their own, so a blocking client that hangs ties up only this
 * bulkhead's threads, never the caller's. Tasks beyond the running limit wait in a bounded queue; beyond that,
 * {@link #submit} fails at once with a {@link BulkheadFullException}.
 *
 * <p>Two modes: a fixed pool of {@linkplain Builder#maxThreads platform threads} (threads are started on demand
 * and end after a minute idle), or {@linkplain Builder#virtualThreads a virtual thread per task} with at most a
 * given number running at once and the rest parked in line.
 *
 * <pre>{@code
 * ExecutorBulkhead bulkhead = ExecutorBulkhead.builder("legacy-billing").maxThreads(8).queueCapacity(16).build();
 * CompletableFuture<Invoice> invoice = bulkhead.submit(() -> billingClient.fetch(id));
 * }</pre>
 *
 * <p>Each task runs in the {@link CallContext} that was current when it was submitted, so it sees the caller's
 * deadline and cancellation. Cancelling the returned future interrupts the task if it is running, or drops it if
 * it is still queued; its slot is free once the task has stopped.
 *
 * <p>Thread-safe; admission is a lock-free count.
 */
public final class ExecutorBulkhead implements AutoCloseable {

  /** The default number of threads (or, in virtual mode, of tasks running at once). */
  public static final int DEFAULT_MAX_THREADS = 25;

  /** The most platform threads one bulkhead may have: far more than isolating one upstream ever needs. */
  public static final int MAX_PLATFORM_THREADS = 10_000;

  private static final long IDLE_THREAD_KEEP_ALIVE_SECONDS = 60;

  private final String name;
  private final boolean virtual;
  private final int maxConcurrentCalls;
  private final int queueCapacity;
  // maxConcurrentCalls + queueCapacity, capped so the int count of admitted tasks cannot overflow.
  private final int capacity;

  // Tasks admitted and not yet finished: queued plus running. The only thing that bounds the queue.
  private final AtomicInteger admitted = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder completed = new LongAdder();

  // Starts a task: hands it to the pool, or starts a virtual thread for it.
  private final Executor launcher;
  // Platform mode only: the pool behind the launcher.
  private final @Nullable ThreadPoolExecutor pool;
  // Virtual mode only: limits how many tasks run at once, the others park in line.
  private final @Nullable SemaphoreBulkhead gate;

  private ExecutorBulkhead(Builder builder) {
    this.name = builder.name;
    this.virtual = builder.virtual;
    this.maxConcurrentCalls = builder.maxConcurrentCalls;
    this.queueCapacity = builder.queueCapacity;
    this.capacity = (int) Math.min(Integer.MAX_VALUE, (long) maxConcurrentCalls + queueCapacity);
    if (virtual) {
      ThreadFactory virtualThreads = Thread.ofVirtual().name("blastwall-bulkhead-" + name + "-", 1).factory();
      this.launcher = task -> virtualThreads.newThread(task).start();
      this.pool = null;
      // Admission already bounds how many tasks exist, so the gate's own queue only needs to hold all of them;
      // a task waits at the gate until it may run, however long that takes.
      this.gate = SemaphoreBulkhead.builder(name)
          .maxConcurrentCalls(maxConcurrentCalls)
          .maxWaiting(capacity)
          .maxWait(Duration.ofNanos(Long.MAX_VALUE))
          .build();
    } else {
      ThreadFactory platformThreads = Thread.ofPlatform().name("blastwall-bulkhead-" + name + "-", 1)
          .daemon(true).factory();
      // The queue is unbounded only as far as the pool knows: admission keeps it within queueCapacity.
      ThreadPoolExecutor executor = new ThreadPoolExecutor(maxConcurrentCalls, maxConcurrentCalls,
          IDLE_THREAD_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), platformThreads);
      executor.allowCoreThreadTimeOut(true);
      this.launcher = executor;
      this.pool = executor;
      this.gate = null;
    }
  }

  /** A builder for a bulkhead called {@code name}: the upstream it isolates, used in errors and thread names. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The name given to the builder. */
  public String name() {
    return name;
  }

  /** Whether tasks run on virtual threads. */
  public boolean isVirtual() {
    return virtual;
  }

  /**
   * Runs {@code task} on this bulkhead's threads, in the current {@link CallContext}.
   *
   * @return a future for the task's result. It fails with a {@link BulkheadFullException}, already completed,
   *     when every thread is busy and the queue is full, and with a {@link RejectedExecutionException} after
   *     {@link #close()}. Cancelling it interrupts the task or drops it from the queue. When it completes with the
   *     task's result or failure, the task's slot is already free; after a cancel, the slot is free once the task
   *     has stopped. Stages attached without an executor run on the bulkhead's thread, after the slot is freed;
   *     in platform mode they delay that thread's next task, so keep them short.
   */
  public <T extends @Nullable Object> CompletableFuture<T> submit(Callable<T> task) {
    CallContext context = CallContext.current();
    if (closed.get()) {
      return CompletableFuture.failedFuture(new RejectedExecutionException(name + ": bulkhead is closed"));
    }
    if (!admit()) {
      rejected.increment();
      return CompletableFuture.failedFuture(rejection(context));
    }
    Task<T> job = new Task<>(context.wrap(task));
    CompletableFuture<T> unused = job.result.whenComplete((value, failure) -> {
      if (job.result.isCancelled()) {
        job.cancel();
      }
    });
    try {
      launcher.execute(job);
    } catch (RejectedExecutionException notStarted) {
      // Closed concurrently: the task never runs, so its slot is freed here.
      if (job.state.compareAndSet(Task.NEW, Task.FINISHED)) {
        admitted.decrementAndGet();
      }
      job.result.completeExceptionally(notStarted);
    }
    return job.result;
  }

  /**
   * Stops accepting tasks: {@link #submit} fails from now on. Tasks already accepted still run (cancel their
   * futures to stop them); the threads end once they are done. Does not wait. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && pool != null) {
      pool.shutdown();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** The current counts; each is read separately, so under load they may be a moment apart. */
  public Snapshot snapshot() {
    int inFlight = running.get();
    int queued = Math.max(0, admitted.get() - inFlight);
    return new Snapshot(maxConcurrentCalls, queueCapacity, inFlight, queued, rejected.sum(), completed.sum());
  }

  @Override
  public String toString() {
    return "ExecutorBulkhead[" + name + ", " + (virtual ? "virtual threads" : "platform threads")
        + ", maxConcurrentCalls=" + maxConcurrentCalls + ", queueCapacity=" + queueCapacity
        + (closed.get() ? ", closed" : "") + "]";
  }

  /**
   * An executor bulkhead's counts at one moment.
   *
   * @param maxConcurrentCalls how many tasks may run at once (threads, or the virtual-thread limit)
   * @param queueCapacity how many tasks may wait for a thread
   * @param running tasks running now
   * @param queued tasks accepted and not yet running (including ones about to start)
   * @param rejected tasks refused because threads and queue were full, since the bulkhead was built
   * @param completed tasks that ran to an end (a result, a failure, or an interrupt), since it was built
   */
  public record Snapshot(int maxConcurrentCalls, int queueCapacity, int running, int queued, long rejected,
      long completed) {}

  // --- internals ----------------------------------------------------------------------------------------------

  private boolean admit() {
    int current;
    do {
      current = admitted.get();
      if (current >= capacity) {
        return false;
      }
    } while (!admitted.compareAndSet(current, current + 1));
    return true;
  }

  private BulkheadFullException rejection(CallContext context) {
    int busy = running.get();
    int queued = Math.max(0, admitted.get() - busy);
    String detail = busy + " of " + maxConcurrentCalls + " calls in flight, "
        + (queueCapacity == 0 ? "no queue" : "queue full (" + queued + " of " + queueCapacity + ")");
    Deadline deadline = context.deadline();
    long remaining = deadline == null ? BlastwallException.NO_DEADLINE : deadline.remainingNanos();
    return new BulkheadFullException(name, detail, context.attempt(), remaining);
  }

  /**
   * One submitted task and its slot. Its state decides, once, who frees the slot: the thread that ran the task,
   * or a cancel that caught it before it started.
   */
  private final class Task<T extends @Nullable Object> implements Runnable {
    static final int NEW = 0;
    static final int RUNNING = 1;
    // A cancel is interrupting the runner; the runner must not move on to other work until that is done.
    static final int INTERRUPTING = 2;
    static final int INTERRUPTED = 3;
    static final int FINISHED = 4;

    final Callable<T> callable;
    final CompletableFuture<T> result = new CompletableFuture<>();
    final AtomicInteger state = new AtomicInteger(NEW);
    volatile @Nullable Thread runner;

    Task(Callable<T> callable) {
      this.callable = callable;
    }

    @Override
    public void run() {
      runner = Thread.currentThread();
      if (!state.compareAndSet(NEW, RUNNING)) {
        // Cancelled while queued; the cancel freed the slot.
        return;
      }
      T value;
      try {
        value = execute();
      } catch (Throwable failure) {
        finish();
        result.completeExceptionally(failure);
        return;
      }
      finish();
      result.complete(value);
    }

    /** Settles the state and frees the slot, before the future completes: whoever sees the outcome sees it free. */
    private void finish() {
      if (!state.compareAndSet(RUNNING, FINISHED)) {
        // A cancel is interrupting this thread, or has: wait for it, then clear the flag, so the interrupt meant
        // for this task cannot hit the next task a pooled thread runs (or the stages completed after this).
        while (state.get() == INTERRUPTING) {
          Thread.onSpinWait();
        }
        Thread.interrupted();
        state.set(FINISHED);
      }
      admitted.decrementAndGet();
      completed.increment();
    }

    /** Waits for its turn (virtual mode) and runs the task; a cancel while waiting surfaces as the interrupt. */
    private T execute() throws Exception {
      SemaphoreBulkhead limit = gate;
      // Admission guarantees a place in the gate's queue, so this only ever waits for its turn.
      if (limit != null && !limit.acquire(Long.MAX_VALUE)) {
        throw new IllegalStateException(name + ": no place at the gate (expected: admission bounds it)");
      }
      running.incrementAndGet();
      try {
        return callable.call();
      } finally {
        running.decrementAndGet();
        if (limit != null) {
          limit.release();
        }
      }
    }

    /** Called when the result future was cancelled. */
    void cancel() {
      if (state.compareAndSet(NEW, FINISHED)) {
        admitted.decrementAndGet();
        if (pool != null) {
          // Keeps dead entries from piling up in the pool's queue; harmless if a worker took it already.
          pool.remove(this);
        }
        return;
      }
      if (state.compareAndSet(RUNNING, INTERRUPTING)) {
        Thread thread = runner;
        if (thread != null) {
          thread.interrupt();
        }
        state.set(INTERRUPTED);
      }
    }
  }

  /**
   * Builds an {@link ExecutorBulkhead}; each option may be set once, and {@link #maxThreads} and
   * {@link #virtualThreads} exclude each other. Not thread-safe: build on one thread, then share the bulkhead,
   * which is.
   */
  public static final class Builder {
    private final String name;
    private boolean virtual;
    private int maxConcurrentCalls = DEFAULT_MAX_THREADS;
    private int queueCapacity;
    private boolean threadsSet;
    private boolean queueCapacitySet;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Runs tasks on a pool of at most {@code maxThreads} platform threads (1 to
     * {@value ExecutorBulkhead#MAX_PLATFORM_THREADS}); the default is this mode with
     * {@value ExecutorBulkhead#DEFAULT_MAX_THREADS}.
     */
    public Builder maxThreads(int maxThreads) {
      Checks.checkNotSet("maxThreads/virtualThreads", threadsSet);
      this.maxConcurrentCalls = Checks.checkRange("maxThreads", maxThreads, 1, MAX_PLATFORM_THREADS);
      this.virtual = false;
      threadsSet = true;
      return this;
    }

    /**
     * Runs each task on a virtual thread of its own, at most {@code maxConcurrentCalls} at once; the others park
     * in line. For blocking clients that park rather than pin: the limit then protects the upstream, and costs
     * the caller no platform threads.
     */
    public Builder virtualThreads(int maxConcurrentCalls) {
      Checks.checkNotSet("maxThreads/virtualThreads", threadsSet);
      this.maxConcurrentCalls = Checks.checkRange("maxConcurrentCalls", maxConcurrentCalls, 1, Integer.MAX_VALUE);
      this.virtual = true;
      threadsSet = true;
      return this;
    }

    /** How many tasks may wait for a thread; default 0, which refuses a task at once when all threads are busy. */
    public Builder queueCapacity(int queueCapacity) {
      Checks.checkNotSet("queueCapacity", queueCapacitySet);
      this.queueCapacity = Checks.checkRange("queueCapacity", queueCapacity, 0, Integer.MAX_VALUE);
      queueCapacitySet = true;
      return this;
    }

    /** The bulkhead; in platform mode it owns threads until {@link ExecutorBulkhead#close()}. */
    public ExecutorBulkhead build() {
      return new ExecutorBulkhead(this);
    }
  }
}
