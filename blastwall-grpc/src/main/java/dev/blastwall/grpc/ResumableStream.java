package dev.blastwall.grpc;

import dev.blastwall.internal.Checks;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Reads a server stream that can be reopened from a position, such as {@code Subscribe(from_position) returns
 * (stream Item)} over an append-only log: when the stream fails after it was committed (Blastwall retries a stream
 * only before its first message), it is reopened from the position after the last item received, possibly on
 * another backend, and the consumer sees every position once, in order: no duplicates (items before the expected
 * position are dropped) and no gaps (an item after it fails the read with DATA_LOSS).
 *
 * <pre>{@code
 * ResumableStream<Item> stream = ResumableStream.builder(
 *         (from, resumes) -> stubs.get(resumes % stubs.size())          // another backend on each resume
 *             .withDeadlineAfter(Duration.ofMinutes(5))
 *             .subscribe(SubscribeRequest.newBuilder().setFromPosition(from).build()),
 *         Item::getPosition)
 *     .maxResumes(5)
 *     .build();
 * long next = stream.read(0, item -> apply(item));                        // blocks: use a virtual thread
 * }</pre>
 *
 * <p>Each reopened call goes through the channel's interceptors as usual, so with {@link BlastwallClientInterceptor}
 * a reopen that fails before its first message is retried by the pipeline (backoff, budget, breaker) before this
 * class sees the failure. {@link #read} resumes at most {@code maxResumes} times in a row without receiving an
 * item, so a stream that makes progress is resumed as often as it fails, and a dead one is given up on.
 *
 * <p>A failure of the consumer (or of the position function) is the caller's, not the stream's: it propagates
 * from {@link #read} as it was thrown, even a gRPC {@code StatusRuntimeException} with a resumable status (the
 * consumer's own call to another service failing, say), and the stream is not reopened, so no position is handed
 * to the consumer twice. The position it failed on counts as delivered; to retry it, read again from it. There is
 * deliberately no option to resume instead: that would redeliver the item behind the caller's back, and a
 * consumer that wants to retry its own work can do so inside {@code accept}.
 *
 * <p>A call that is abandoned (the consumer threw, a gap, an interrupted read) is cancelled: each open runs in a
 * cancellable gRPC {@link Context}, cancelled when the read leaves it.
 *
 * <p>Immutable and thread-safe; {@link #read} may run concurrently on several threads, one stream each.
 */
public final class ResumableStream<T> {

  /** Opens the stream; blocking stubs' server-streaming methods fit it. */
  @FunctionalInterface
  public interface Opener<T> {
    /**
     * Opens the stream from {@code fromPosition}; {@code resumes} is 0 for the first open and counts the reopens
     * after it (to pick another backend, say).
     */
    Iterator<T> open(long fromPosition, int resumes);
  }

  private final Opener<T> opener;
  private final ToLongFunction<? super T> position;
  private final int maxResumes;
  private final Set<Status.Code> resumeOn;

  private ResumableStream(Builder<T> builder) {
    this.opener = builder.opener;
    this.position = builder.position;
    this.maxResumes = builder.maxResumes;
    this.resumeOn = Set.copyOf(builder.resumeOn);
  }

  /** A builder for streams opened by {@code opener}, whose items carry their position as {@code position}. */
  public static <T> Builder<T> builder(Opener<T> opener, ToLongFunction<? super T> position) {
    return new Builder<>(opener, position);
  }

  /**
   * Reads from {@code from} to the end of the stream, handing each position to {@code consumer} once and in order,
   * resuming after failures with a resumable status.
   *
   * @return the position after the last item read: where a later read continues
   * @throws StatusRuntimeException the failure that was not resumed (its status is not resumable, or
   *     {@code maxResumes} reopens in a row received nothing), or DATA_LOSS when the stream skipped positions
   * @throws RuntimeException whatever {@code consumer} threw, as it was thrown (a status exception too); the item
   *     it threw on counts as read, so a read from its position hands it over again
   */
  public long read(long from, Consumer<? super T> consumer) {
    long next = from;
    int resumes = 0;
    int idleResumes = 0;
    while (true) {
      long before = next;
      Context.CancellableContext scope = Context.current().withCancellation();
      // Set while the caller's own code runs (position function, consumer): what it throws is not a stream
      // failure, even a gRPC status, and reopening would hand the same position to the consumer again.
      boolean inCallerCode = false;
      try {
        Iterator<T> items;
        Context previous = scope.attach();
        try {
          items = opener.open(next, resumes);
        } finally {
          scope.detach(previous);
        }
        while (items.hasNext()) {
          T item = items.next();
          inCallerCode = true;
          long at = position.applyAsLong(item);
          inCallerCode = false;
          if (at < next) {
            continue;
          }
          if (at > next) {
            throw Status.DATA_LOSS.withDescription("stream skipped positions " + next + " to " + (at - 1))
                .asRuntimeException();
          }
          inCallerCode = true;
          consumer.accept(item);
          inCallerCode = false;
          next = at + 1;
        }
        return next;
      } catch (StatusRuntimeException failure) {
        idleResumes = next > before ? 0 : idleResumes + 1;
        if (inCallerCode || !resumeOn.contains(failure.getStatus().getCode()) || idleResumes > maxResumes) {
          throw failure;
        }
        resumes++;
      } finally {
        scope.cancel(null);
      }
    }
  }

  @Override
  public String toString() {
    return "ResumableStream[maxResumes=" + maxResumes + ", resumeOn=" + resumeOn + "]";
  }

  /** Builds a {@link ResumableStream}; not thread-safe. */
  public static final class Builder<T> {
    private final Opener<T> opener;
    private final ToLongFunction<? super T> position;
    private int maxResumes = 3;
    private boolean maxResumesSet;
    private Set<Status.Code> resumeOn = EnumSet.of(Status.Code.UNAVAILABLE);
    private boolean resumeOnSet;

    private Builder(Opener<T> opener, ToLongFunction<? super T> position) {
      this.opener = opener;
      this.position = position;
    }

    /** How many reopens in a row may receive nothing before the read gives up; default 3, at least 0. */
    public Builder<T> maxResumes(int max) {
      Checks.checkNotSet("maxResumes", maxResumesSet);
      if (max < 0) {
        throw Checks.invalidArgument("maxResumes", max, ">= 0");
      }
      this.maxResumes = max;
      this.maxResumesSet = true;
      return this;
    }

    /**
     * The statuses after which the stream is reopened; default UNAVAILABLE (a backend going away). Add e.g.
     * CANCELLED when servers are stopped with {@code shutdownNow()}, which cancels their streams.
     */
    public Builder<T> resumeOn(Status.Code first, Status.Code... more) {
      Checks.checkNotSet("resumeOn", resumeOnSet);
      this.resumeOn = EnumSet.of(first, more);
      this.resumeOnSet = true;
      return this;
    }

    public ResumableStream<T> build() {
      return new ResumableStream<>(this);
    }
  }
}
