package dev.blastwall.kafka;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.propagation.ContextCodec;
import dev.blastwall.propagation.ContextRead;
import dev.blastwall.propagation.DeadlineCodec;
import dev.blastwall.propagation.HeaderValue;
import dev.blastwall.propagation.HeaderValues;
import dev.blastwall.time.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * The call context in Kafka record headers: core's {@link ContextCodec} with the absolute deadline (a message waits
 * in the broker, so its expiry is a wall-clock time, not a time left), plus {@link MessageHeaders#MESSAGE_ID}.
 * Values are UTF-8 text. Immutable and thread-safe.
 *
 * <p>Reading never throws: a header that is not valid UTF-8, or whose value a parser refuses, is a refusal
 * {@code name: "value" (expected: ...)} in {@link Read#refusals()} and its default in {@link Read#context}.
 */
public final class RecordContext {

  static final String EXPECTED_MESSAGE_ID = "1 to 255 visible ASCII characters";
  private static final String EXPECTED_UTF8 = "UTF-8 text";

  private final ContextCodec codec;
  private final Ticker ticker;

  private RecordContext(InstantSource wallClock, Ticker ticker) {
    this.codec = ContextCodec.withDeadline(DeadlineCodec.absolute(wallClock));
    this.ticker = ticker;
  }

  /** On the system clocks. */
  public static RecordContext system() {
    return new RecordContext(InstantSource.system(), Ticker.system());
  }

  /** On the given clocks: the wall clock for the expiry header, the ticker for the deadline made from it. */
  public static RecordContext of(InstantSource wallClock, Ticker ticker) {
    return new RecordContext(wallClock, ticker);
  }

  /**
   * Writes {@code context} and {@code messageId} into {@code headers}, replacing any earlier values of these
   * headers (a record may be re-sent).
   */
  public void write(CallContext context, String messageId, Headers headers) {
    HeaderValue<String> id = HeaderValues.parseIdempotencyKey(messageId);
    if (!id.isPresent()) {
      throw Checks.invalidArgument("messageId", Untrusted.quote(messageId), EXPECTED_MESSAGE_ID);
    }
    for (String name : codec.names()) {
      headers.remove(name);
    }
    headers.remove(MessageHeaders.MESSAGE_ID);
    codec.write(context, (name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
    headers.add(MessageHeaders.MESSAGE_ID, messageId.getBytes(StandardCharsets.US_ASCII));
  }

  /** The message id for a send in {@code context}: its idempotency key, else a new random UUID. */
  public static String messageIdFor(CallContext context) {
    String key = context.idempotency().key();
    return key != null ? key : UUID.randomUUID().toString();
  }

  /** Reads the context and message id from {@code headers}; never throws. */
  public Read read(Headers headers) {
    List<String> utf8Refusals = new ArrayList<>(0);
    ContextRead context = codec.read(name -> text(headers, name, utf8Refusals), ticker);
    String rawId = text(headers, MessageHeaders.MESSAGE_ID, utf8Refusals);
    HeaderValue<String> id = HeaderValues.parseIdempotencyKey(rawId);
    if (id.isRefused() && rawId != null) {
      id = HeaderValue.refused(Checks.invalid(MessageHeaders.MESSAGE_ID, Untrusted.quote(rawId),
          EXPECTED_MESSAGE_ID));
    }
    return new Read(context, id, List.copyOf(utf8Refusals));
  }

  /** The last value of header {@code name} as text, or null when absent or not UTF-8 (then noted as a refusal). */
  private static @Nullable String text(Headers headers, String name, List<String> refusals) {
    Header header = headers.lastHeader(name);
    if (header == null) {
      return null;
    }
    byte[] bytes = header.value();
    if (bytes == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      refusals.add(Checks.invalid(name, Untrusted.quote(new String(bytes, StandardCharsets.ISO_8859_1)),
          EXPECTED_UTF8));
      return null;
    }
  }

  /**
   * What {@link #read} found.
   *
   * @param context the call-context headers, each a value, absent or refused
   * @param messageId {@link MessageHeaders#MESSAGE_ID}
   * @param encodingRefusals headers whose bytes were not UTF-8 (read as absent)
   */
  public record Read(ContextRead context, HeaderValue<String> messageId, List<String> encodingRefusals) {

    /** Every refusal: bad encodings first, then bad values, in header order. */
    public List<String> refusals() {
      List<String> all = new ArrayList<>(encodingRefusals);
      all.addAll(context.refusals());
      String idRefusal = messageId.refusal();
      if (idRefusal != null) {
        all.add(idRefusal);
      }
      return all;
    }

    /** The handler's context, leniently: each absent or refused header falls back to its default. */
    public CallContext callContext(Criticality defaultCriticality, Cancellation cancellation) {
      return context.context(defaultCriticality, cancellation);
    }
  }
}
