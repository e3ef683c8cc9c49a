package dev.blastwall.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlineCodecTest {

  private final FakeTicker sender = new FakeTicker(1_000);
  private final FakeTicker receiver = new FakeTicker(-5_000_000_000L);

  @Test
  void relative_sendsTheTimeLeft_andTheReceiverCountsFromArrival() {
    Map<String, String> headers = new HashMap<>();
    DeadlineCodec.relative().write(Deadline.after(Duration.ofMillis(250), sender), headers::put);

    assertThat(headers).containsExactly(Map.entry("grpc-timeout", "250000u"));
    assertThat(DeadlineCodec.relative().read(headers::get, receiver).value().remaining())
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void relative_refusesAMalformedTimeout_inTheSharedFormat() {
    HeaderValue<Deadline> read = DeadlineCodec.relative().read(Map.of("grpc-timeout", "1S\r\n")::get, receiver);
    assertThat(read.refusal())
        .isEqualTo("grpc-timeout: \"1S\\x0d\\x0a\" (expected: 1-8 ASCII digits followed by one of H M S m u n)");
    assertThat(DeadlineCodec.relative().read(Map.<String, String>of()::get, receiver).isPresent()).isFalse();
  }

  @Test
  void absolute_countsTheTimeTheMessageWaited() {
    AtomicLong wallMillis = new AtomicLong(1_700_000_000_000L);
    InstantSource wall = () -> Instant.ofEpochMilli(wallMillis.get());
    DeadlineCodec codec = DeadlineCodec.absolute(wall);
    Map<String, String> headers = new HashMap<>();
    // 300.9 ms left: rounded down, the receiver never gets more than the sender had.
    codec.write(Deadline.afterNanos(300_900_000, sender), headers::put);
    assertThat(headers).containsExactly(Map.entry("blastwall-deadline", "1700000000300"));

    wallMillis.addAndGet(100); // the message waited in the broker
    assertThat(codec.read(headers::get, receiver).value().remaining()).isEqualTo(Duration.ofMillis(200));

    wallMillis.addAndGet(1_000);
    assertThat(codec.read(headers::get, receiver).value().isExpired()).isTrue();
  }

  @Test
  void absolute_refusesWhatIsNotEpochMillis() {
    DeadlineCodec codec = DeadlineCodec.absolute(InstantSource.fixed(Instant.EPOCH));
    assertThat(codec.read(Map.of("blastwall-deadline", "-5")::get, receiver).refusal())
        .isEqualTo("blastwall-deadline: \"-5\" (expected: epoch milliseconds, 1 to 18 ASCII digits)");
    // The largest accepted value saturates instead of overflowing.
    assertThat(codec.read(Map.of("blastwall-deadline", "999999999999999999")::get, receiver).value().isExpired())
        .isFalse();
  }
}
