package dev.blastwall.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** What the default classifier reads off a failure besides its kind: whether the request certainly did not run. */
class FailureClassifierTest {

  private final FailureClassifier classifier = FailureClassifier.defaults();

  @Test
  void aConnectionNeverMade_didNotRun_alsoInsideFutureWrappers() {
    assertThat(classifier.didNotRun(new ConnectException("refused"))).isTrue();
    assertThat(classifier.didNotRun(new UnknownHostException("nowhere"))).isTrue();
    assertThat(classifier.didNotRun(new CompletionException(new ConnectException("refused")))).isTrue();
    assertThat(classifier.didNotRun(new ExecutionException(new ConnectException("refused")))).isTrue();
    assertThat(classifier.classify(new ConnectException("refused"))).isEqualTo(FailureKind.UNAVAILABLE);
  }

  @Test
  void aConnectionThatBrokeOrTimedOut_mayHaveRun() {
    assertThat(classifier.didNotRun(new IOException("connection reset"))).isFalse();
    assertThat(classifier.didNotRun(new SocketTimeoutException("read timed out"))).isFalse();
    assertThat(classifier.didNotRun(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void aRemoteFailure_didNotRunOnlyWhenItsAdapterSaysSo() {
    assertThat(classifier.didNotRun(new RemoteFailure(FailureKind.UNAVAILABLE, "down"))).isFalse();
    assertThat(classifier.didNotRun(
        new RemoteFailure(FailureKind.UNAVAILABLE, "down", null, false, null))).isFalse();
    RemoteFailure unsent = new RemoteFailure(FailureKind.UNAVAILABLE, "no backend ready", null, false, true, null);
    assertThat(classifier.didNotRun(unsent)).isTrue();
    assertThat(classifier.didNotRun(new CompletionException(unsent))).isTrue();
    RemoteFailure refused = new RemoteFailure(FailureKind.OVERLOADED, "shed", Duration.ofMillis(20), false, true,
        null);
    assertThat(refused.didNotRun()).isTrue();
    assertThat(refused.retryAfterNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
  }

  @Test
  void aClassifierBuiltByPreferring_keepsTheDefaultReading() {
    FailureClassifier preferring = classifier.preferring(failure -> FailureKind.UNKNOWN);

    assertThat(preferring.didNotRun(new ConnectException("refused"))).isTrue();
    assertThat(preferring.didNotRun(new IOException("reset"))).isFalse();
  }
}
