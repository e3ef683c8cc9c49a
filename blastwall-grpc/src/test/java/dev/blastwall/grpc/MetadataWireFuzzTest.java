package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.TimeoutHeader;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.server.Admission;
import dev.blastwall.server.Permit;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzed metadata on the wire, both ways, with fixed seeds and a count of calls: requests with random and mutated
 * Blastwall metadata to one real Blastwall server (over raw HTTP/2, so values grpc-java's client would refuse get
 * through), and random statuses and trailers answered to a Blastwall client.
 *
 * <p>{@code grpc-timeout} values never contain {@code %}: grpc-java answers a conversion like {@code %d} there by
 * closing the whole connection, before any interceptor; {@link GrpcTimeoutHazardTest} pins that.
 */
@Timeout(120)
class MetadataWireFuzzTest {

  private static final int SERVER_CALLS = 2500;
  private static final int CLIENT_CALLS = 1000;
  private static final long CALL_TIMEOUT_MILLIS = 10_000;
  private static final long RESET_INTERNAL_ERROR = 2;
  private static final long RESET_CANCEL = 8;
  private static final int MAX_DESCRIPTION = 600;
  private static final List<Status.Code> CODES = List.of(Status.Code.values());
  private static final byte[] HELLO = EchoRequest.newBuilder().setText("hello").build().toByteArray();

  /** grpc-java logs two stack traces for every grpc-timeout it refuses; hundreds of them say nothing here. */
  private static final Logger NETTY_SERVER_HANDLER =
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

  private final Servers servers = new Servers();
  private @Nullable Level handlerLevel;

  @BeforeEach
  void quietGrpcTimeoutRefusals() {
    handlerLevel = NETTY_SERVER_HANDLER.getLevel();
    NETTY_SERVER_HANDLER.setLevel(Level.SEVERE);
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
    NETTY_SERVER_HANDLER.setLevel(handlerLevel);
  }

  /** Sheds SHEDDABLE calls; counts admitted calls in flight. */
  private static final class CountingAdmission implements Admission {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger admitted = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();

    @Override
    public @Nullable Permit tryAdmit(CallContext context) {
      if (context.criticality() == Criticality.SHEDDABLE) {
        return null;
      }
      admitted.incrementAndGet();
      inFlight.incrementAndGet();
      return new Permit() {
        @Override
        public void onSuccess() {
          release();
        }

        @Override
        public void onDropped() {
          release();
        }

        @Override
        public void onIgnore() {
          release();
        }
      };
    }

    @Override
    public OverloadedException rejection(CallContext context) {
      return new OverloadedException("fuzz", "admission", "SHEDDABLE shed", 1_000_000L, "shed");
    }

    private void release() {
      released.incrementAndGet();
      inFlight.decrementAndGet();
    }
  }

  /** How a fuzzed call is made to end when its handler hangs. */
  private enum Hang {
    NO,
    /** A short valid grpc-timeout ends it on the server. */
    DEADLINE,
    /** The client resets the stream once the handler runs. */
    CLIENT_CANCELS
  }

  @Test
  void fuzzedRequestMetadata_everyCallEndsWithAWellFormedStatus_andNoPermitLeaks() throws Exception {
    EchoServer echo = new EchoServer("echo");
    CountingAdmission admission = new CountingAdmission();
    Server server = servers.start(echo, BlastwallServerInterceptor.builder().admission(admission).build());
    SplittableRandom random = new SplittableRandom(20261214L);
    int statuses = 0;
    int resets = 0;
    int cancelled = 0;

    try (RawHttp2Client client = new RawHttp2Client(server.getPort())) {
      for (int i = 0; i < SERVER_CALLS; i++) {
        List<Map.Entry<String, String>> headers = randomRequestHeaders(random);
        Hang hang = random.nextInt(40) != 0 ? Hang.NO : random.nextBoolean() ? Hang.DEADLINE : Hang.CLIENT_CANCELS;
        if (hang == Hang.DEADLINE) {
          headers.removeIf(header -> header.getKey().equals(TimeoutHeader.NAME));
          headers.add(Map.entry(TimeoutHeader.NAME, random.nextInt(5, 30) + "m"));
        }
        echo.hangFirst(hang == Hang.NO ? 0 : 1);
        if (random.nextInt(10) == 0) {
          echo.script.add(Status.fromCode(CODES.get(random.nextInt(1, CODES.size())))
              .withDescription("scripted " + i).asRuntimeException());
        }
        String sample = "call " + i + " " + describe(headers) + " hang=" + hang;
        long handledBefore = echo.handled.get();

        RawHttp2Client.Pending pending = client.start("/blastwall.test.Echo/" + (random.nextBoolean() ? "Echo" : "Get"),
            headers, HELLO);
        if (hang == Hang.CLIENT_CANCELS && awaitHandlerOrEnd(pending, echo, handledBefore)) {
          pending.cancel();
          cancelled++;
          continue;
        }
        RawHttp2Client.Outcome outcome;
        try {
          outcome = pending.await(CALL_TIMEOUT_MILLIS);
        } catch (TimeoutException hung) {
          throw new AssertionError("the server did not end " + sample, hung);
        } finally {
          echo.hangFirst(0);
          echo.script.clear();
        }

        assertThat(client.goneAway()).as(sample).isFalse();
        String timeout = lastValue(headers, TimeoutHeader.NAME);
        if (outcome.resetCode() != null) {
          assertThat(timeout).as(sample).isNotNull();
          if (isValidTimeout(String.valueOf(timeout))) {
            // grpc-java's server ends a call whose deadline passed by resetting it: the client has its own.
            assertThat(outcome.resetCode()).as(sample).isEqualTo(RESET_CANCEL);
          } else {
            // grpc-java's own check of grpc-timeout, before Blastwall.
            assertThat(outcome.resetCode()).as(sample).isEqualTo(RESET_INTERNAL_ERROR);
          }
          resets++;
          continue;
        }
        if (hang == Hang.DEADLINE) {
          assertThat(outcome.grpcStatus()).as(sample).isNotEqualTo(Status.Code.OK.value());
        }
        assertWellFormed(outcome, sample);
        assertExpectedRefusal(outcome, headers, sample);
        statuses++;
      }

      // The connection survived it all: one more plain call.
      RawHttp2Client.Outcome last = client.call("/blastwall.test.Echo/Get", List.of(), HELLO, CALL_TIMEOUT_MILLIS);
      assertThat(last.grpcStatus()).isZero();
    }
    awaitZero(admission.inFlight);
    assertThat(admission.released.get()).isEqualTo(admission.admitted.get());
    assertThat(statuses + resets + cancelled).isEqualTo(SERVER_CALLS);
    // The mix reached every path: statuses, grpc-java's resets, client cancellations.
    assertThat(resets).isPositive();
    assertThat(cancelled).isPositive();
  }

  @Test
  void fuzzedTrailers_everyResponseIsClassified_andEveryCallEndsWithAStatus() throws Exception {
    ChaosServer chaos = new ChaosServer(20261215L);
    Server server = servers.start(chaos);
    Pipeline pipeline = Pipeline.builder("fuzz")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(1))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(
        servers.channel(server, GrpcClientPolicy.builder(pipeline).build()));
    EchoRequest hello = EchoRequest.newBuilder().setText("hello").build();
    SplittableRandom random = new SplittableRandom(20261216L);
    int replies = 0;

    for (int i = 0; i < CLIENT_CALLS; i++) {
      int before = chaos.answered.get();
      boolean idempotent = random.nextBoolean();
      RuntimeException failure = null;
      try {
        EchoGrpc.EchoBlockingStub call = stub.withDeadlineAfter(Duration.ofSeconds(2));
        EchoReply reply = idempotent ? call.get(hello) : call.echo(hello);
        assertThat(reply.getText()).isEqualTo("hello");
        replies++;
      } catch (RuntimeException thrown) {
        failure = thrown;
      }
      int attempts = chaos.answered.get() - before;
      String sample = "call " + i + " (" + (idempotent ? "Get" : "Echo") + ") after " + attempts + " attempts, last "
          + chaos.last;
      assertThat(attempts).as(sample).isBetween(failure == null ? 1 : 0, 3);
      if (failure != null) {
        assertThat(failure).as(sample).isInstanceOf(StatusRuntimeException.class);
        Status status = ((StatusRuntimeException) failure).getStatus();
        assertThat(status.getCode()).as(sample).isNotEqualTo(Status.Code.OK);
        // What the server answered last, or the caller's deadline, or trailers over the client's 8 KiB limit (a
        // long description, percent-encoded); nothing the classification made up.
        boolean tooLarge = status.getCode() == Status.Code.INTERNAL && chaos.lastTooLong;
        // A CANCELLED this client did not ask for is the server going away: it reaches the caller as UNAVAILABLE.
        boolean wentAway = status.getCode() == Status.Code.UNAVAILABLE && chaos.last.startsWith("CANCELLED ");
        if (status.getCode() != Status.Code.DEADLINE_EXCEEDED && !tooLarge && !wentAway) {
          assertThat(chaos.last).as(sample + ", got " + status).startsWith(status.getCode() + " ");
        }
        if (wentAway) {
          assertThat(status.getDescription()).as(sample).contains("the server ended the call CANCELLED")
              .doesNotContainPattern("\\p{Cntrl}");
        }
      }
    }
    assertThat(replies).isPositive();
  }

  /** Answers each attempt from its own seeded draw: a reply, or any status with fuzzed description and trailers. */
  private static final class ChaosServer extends EchoGrpc.EchoImplBase {
    final AtomicInteger answered = new AtomicInteger();
    final long seed;
    volatile String last = "";
    volatile boolean lastTooLong;

    ChaosServer(long seed) {
      this.seed = seed;
    }

    @Override
    public void get(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      answer(request, responseObserver);
    }

    @Override
    public void echo(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      answer(request, responseObserver);
    }

    private void answer(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      SplittableRandom random = new SplittableRandom(seed * 31 + answered.get());
      if (random.nextInt(5) == 0) {
        last = "OK";
        lastTooLong = false;
        answered.incrementAndGet();
        responseObserver.onNext(EchoReply.newBuilder().setText(request.getText()).build());
        responseObserver.onCompleted();
        return;
      }
      Status.Code code = CODES.get(random.nextInt(1, CODES.size()));
      String description = random.nextInt(20) == 0 ? FuzzValues.longRun(random, false)
          : FuzzValues.chars(random, random.nextInt(60), false);
      Metadata trailers = MetadataParsersFuzzTest.randomTrailers(random);
      // Honoured pushbacks are kept short so the suite stays fast; those past the 2 s deadline stay (no retry).
      String pushback = trailers.get(BlastwallMetadata.RETRY_PUSHBACK_MS);
      long millis = pushback == null ? -1 : BlastwallMetadata.parsePushbackMillis(pushback);
      if (millis > 20 && millis < 3_000) {
        trailers.discardAll(BlastwallMetadata.RETRY_PUSHBACK_MS);
        trailers.put(BlastwallMetadata.RETRY_PUSHBACK_MS, Integer.toString(random.nextInt(3)));
      }
      last = code + " " + Untrusted.quote(description) + " " + trailers;
      lastTooLong = description.length() > 1000;
      answered.incrementAndGet();
      responseObserver.onError(Status.fromCode(code).withDescription(description).asRuntimeException(trailers));
    }
  }

  /** Any of the request keys, some twice, with fuzzed values (never a '%' in grpc-timeout). */
  private static List<Map.Entry<String, String>> randomRequestHeaders(SplittableRandom random) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    boolean longOne = false;
    for (String key : FuzzValues.REQUEST_KEYS) {
      // grpc-timeout in a third of the calls only: grpc-java refuses most fuzzed ones before Blastwall sees them.
      if (key.equals(TimeoutHeader.NAME) ? random.nextInt(3) != 0 : random.nextInt(3) == 0) {
        continue;
      }
      int copies = key.equals(TimeoutHeader.NAME) || random.nextInt(8) != 0 ? 1 : 2;
      for (int c = 0; c < copies; c++) {
        String value = FuzzValues.forKey(random, key, /* bytesOnly= */ true);
        if (value.length() > 255) {
          // One long value per request keeps the header block under the server's 8 KiB limit.
          if (longOne) {
            value = value.substring(0, 255);
          }
          longOne = true;
        }
        headers.add(Map.entry(key, key.equals(TimeoutHeader.NAME) ? value.replace('%', '#') : value));
      }
    }
    return headers;
  }

  private static void assertWellFormed(RawHttp2Client.Outcome outcome, String sample) {
    assertThat(outcome.httpStatus()).as(sample).isNotNull().hasToString("200");
    assertThat(outcome.grpcStatus()).as(sample).isNotNull().isBetween(0, 16);
    String description = outcome.grpcMessage();
    if (description != null) {
      assertThat(description).as(sample).hasSizeLessThanOrEqualTo(MAX_DESCRIPTION);
      assertThat(description.chars().allMatch(c -> c >= 0x20 && c != 0x7f))
          .as("no control byte in %s; %s", Untrusted.quote(description), sample).isTrue();
    }
    if (Integer.valueOf(0).equals(outcome.grpcStatus())) {
      assertThat(outcome.dataBytes()).as(sample).isPositive();
    }
  }

  /** A malformed key is refused INVALID_ARGUMENT, and a SHEDDABLE call RESOURCE_EXHAUSTED, unless expired first. */
  private static void assertExpectedRefusal(RawHttp2Client.Outcome outcome, List<Map.Entry<String, String>> headers,
      String sample) {
    Integer code = outcome.grpcStatus();
    if (code == null || code == Status.Code.DEADLINE_EXCEEDED.value()) {
      return;
    }
    String key = lastValue(headers, BlastwallMetadata.IDEMPOTENCY_KEY.name());
    if (key != null && !isValidKey(key)) {
      assertThat(code).as(sample).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
      assertThat(outcome.grpcMessage()).as(sample).startsWith("idempotency-key: \"");
      return;
    }
    String criticality = lastValue(headers, BlastwallMetadata.CRITICALITY.name());
    if (BlastwallMetadata.parseCriticality(criticality) == Criticality.SHEDDABLE) {
      assertThat(code).as(sample).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
    }
  }

  /** Waits (bounded) until the handler ran or the call ended; true when the handler ran and the call is open. */
  private static boolean awaitHandlerOrEnd(RawHttp2Client.Pending pending, EchoServer echo, long handledBefore) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!pending.isDone() && echo.handled.get() == handledBefore) {
      assertThat(System.nanoTime()).as("the call neither ran nor ended").isLessThan(deadline);
      LockSupport.parkNanos(100_000);
    }
    return !pending.isDone();
  }

  /** Waits (bounded) for the last releases: the server releases a permit just after it sent the status. */
  private static void awaitZero(AtomicInteger inFlight) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (inFlight.get() != 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertThat(inFlight.get()).as("admitted calls still in flight").isZero();
  }

  private static @Nullable String lastValue(List<Map.Entry<String, String>> headers, String key) {
    String value = null;
    for (Map.Entry<String, String> header : headers) {
      if (header.getKey().equals(key)) {
        value = header.getValue();
      }
    }
    return value;
  }

  private static boolean isValidTimeout(String value) {
    try {
      TimeoutHeader.decodeNanos(value);
      return true;
    } catch (IllegalArgumentException invalid) {
      return false;
    }
  }

  private static boolean isValidKey(String value) {
    try {
      Idempotency.withKey(value);
      return true;
    } catch (IllegalArgumentException invalid) {
      return false;
    }
  }

  private static String describe(List<Map.Entry<String, String>> headers) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, String> header : headers) {
      out.append(header.getKey()).append('=').append(Untrusted.quote(header.getValue())).append(' ');
    }
    return out.append('}').toString();
  }
}
