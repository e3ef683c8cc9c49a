package dev.blastwall.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Idempotency;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HttpIdempotencyTest {

  @Test
  void idempotentMethods_areRepeatable_withoutAKey() {
    for (String method : new String[] {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}) {
      Idempotency idempotency = HttpIdempotency.of(method, false, () -> "unused");
      assertThat(idempotency.idempotent()).as(method).isTrue();
      assertThat(idempotency.key()).as(method).isNull();
    }
  }

  @Test
  void postAndPatch_areNotRepeatable_unlessDeclaredKeyed() {
    for (String method : new String[] {"POST", "PATCH", "get", "TRACE", "CONNECT"}) {
      assertThat(HttpIdempotency.of(method, false, () -> "k").isRepeatable()).as(method).isFalse();
    }
    Idempotency keyed = HttpIdempotency.of("POST", true, () -> "order-17");
    assertThat(keyed.isRepeatable()).isTrue();
    assertThat(keyed.idempotent()).isFalse();
    assertThat(keyed.key()).isEqualTo("order-17");
  }

  @Test
  void theKeyIsMadeOnce_andOnlyWhenDeclared() {
    AtomicInteger made = new AtomicInteger();
    HttpIdempotency.of("POST", false, () -> "k" + made.incrementAndGet());
    assertThat(made).hasValue(0);
    HttpIdempotency.of("POST", true, () -> "k" + made.incrementAndGet());
    assertThat(made).hasValue(1);
    assertThat(HttpIdempotency.newKey()).hasSize(36).isNotEqualTo(HttpIdempotency.newKey());
  }
}
