package dev.blastwall.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.failure.FailureKind;
import dev.blastwall.testing.FakeTicker;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The breaker's public permit API is object-based; the encoded {@code int} permit stays internal. */
class PermitApiTest {

  @Test
  void noPublicMethodOfTheBreakerTakesOrReturnsAnIntPermit() {
    List<String> intShaped = Stream.of(CircuitBreaker.class, CircuitBreaker.Permit.class)
        .flatMap(type -> Arrays.stream(type.getMethods()))
        .filter(method -> Modifier.isPublic(method.getModifiers()))
        // Only the types a user can name: not Object's, not the internal (unexported) gate's bridges.
        .filter(method -> method.getDeclaringClass().getPackageName().equals("dev.blastwall.breaker"))
        .filter(method -> !method.getName().equals("hashCode"))
        .filter(method -> method.getReturnType() == int.class
            || Arrays.asList(method.getParameterTypes()).contains(int.class))
        .map(PermitApiTest::signature)
        .sorted()
        .toList();

    // The one int left is a count of attempts, for the rejection's message.
    assertThat(intShaped).containsExactly("CircuitBreaker.rejection(String, int, long)");
    assertThat(Arrays.stream(CircuitBreaker.class.getFields())
        .filter(field -> field.getDeclaringClass() == CircuitBreaker.class).map(field -> field.getName()))
        .doesNotContain("NOT_PERMITTED");
  }

  @Test
  void aRefusedPermitCannotBeHandedBack() {
    CircuitBreaker breaker = CircuitBreaker.builder("payments").build();
    breaker.forceOpen();

    CircuitBreaker.Permit refused = breaker.tryAcquirePermit();

    assertThat(refused.isPermitted()).isFalse();
    assertThat(refused.isProbe()).isFalse();
    assertThat(refused).hasToString("Permit[refused]");
    assertThatThrownBy(() -> refused.onSuccess(1)).isInstanceOf(IllegalStateException.class)
        .hasMessage("permit: refused (expected: the permit of a call the breaker permitted)");
    assertThatThrownBy(() -> refused.onFailure(1, FailureKind.UNAVAILABLE))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(refused::release).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aClosedBreakerHandsOutOnePermitObjectUntilItsStateChanges() {
    FakeTicker ticker = new FakeTicker();
    CircuitBreaker breaker = CircuitBreaker.builder("payments").ticker(ticker).countWindow(2).minimumCalls(2)
        .halfOpenProbes(2).build();

    CircuitBreaker.Permit first = breaker.tryAcquirePermit();
    assertThat(breaker.tryAcquirePermit()).as("no allocation per call while CLOSED").isSameAs(first);
    first.onFailure(1, FailureKind.UNAVAILABLE);
    first.onFailure(1, FailureKind.UNAVAILABLE);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    ticker.advance(CircuitBreaker.DEFAULT_OPEN_DURATION);
    CircuitBreaker.Permit probe = breaker.tryAcquirePermit();
    CircuitBreaker.Permit secondProbe = breaker.tryAcquirePermit();
    assertThat(probe).hasToString("Permit[probe]");
    assertThat(probe.isProbe()).isTrue();
    assertThat(first.isProbe()).isFalse();
    // The CLOSED permit is stale now: its outcome no longer counts, the probes' do.
    first.onSuccess(1);
    assertThat(breaker.snapshot().probesInFlight()).isEqualTo(2);
    probe.release();
    secondProbe.release();
    assertThat(breaker.snapshot().probesInFlight()).isZero();
  }

  private static String signature(Method method) {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "("
        + String.join(", ", Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
  }
}
