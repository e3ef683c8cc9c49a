package dev.blastwall.grpc.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.NameResolver;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the two operator inputs of balancing, with fixed seeds and fixed counts: the service config of the
 * Blastwall policies and the query of a {@code blastwall-file} target. Whatever comes in, the answer is the
 * documented one (a config error, an {@code IllegalArgumentException}) with a printable message, and an accepted
 * config never holds a timer outside its bounds.
 */
class BalancingInputFuzzTest {

  private static final List<String> KEYS = List.of("outlierDetection", "healthCheck", "interval", "baseEjectionTime",
      "maxEjectionTime", "maxEjectionPercent", "successRateEjection", "failurePercentageEjection", "stdevFactor",
      "minimumHosts", "requestVolume", "threshold", "serviceName", "timeout", "enforcementPercentage",
      "outlierDetecton", "healthcheck", "stdevFacter", "consecutiveFailure", "");

  private final BlastwallLoadBalancerProvider provider = new BlastwallLoadBalancerProvider.P2c();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void fuzzedServiceConfigs_areAcceptedWithinBoundsOrRefusedWithAPrintableMessage() {
    SplittableRandom random = new SplittableRandom(20261207L);
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      Map<String, Object> raw = randomObject(random, 0);
      ConfigOrError parsed = provider.parseLoadBalancingPolicyConfig(raw);
      Status error = parsed.getError();
      if (error != null) {
        assertThat(error.getCode()).as("%s", raw).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(error.getDescription()).as("%s", raw)
            .startsWith("invalid blastwall_p2c config: ")
            .hasSizeLessThan(2_000)
            .doesNotContainPattern("\\p{Cntrl}");
        continue;
      }
      accepted++;
      BalancerConfig config = BalancerConfig.parse(raw);
      assertThat(config.interval()).as("%s", raw)
          .isBetween(BalancerConfig.MIN_INTERVAL, BalancerConfig.MAX_DURATION);
      assertThat(config.baseEjectionTime()).as("%s", raw)
          .isBetween(BalancerConfig.MIN_EJECTION_TIME, BalancerConfig.MAX_DURATION);
      assertThat(config.maxEjectionTime()).as("%s", raw).isGreaterThanOrEqualTo(config.baseEjectionTime());
      assertThat(config.healthCheckInterval()).as("%s", raw)
          .isBetween(BalancerConfig.MIN_HEALTH_CHECK_INTERVAL, BalancerConfig.MAX_DURATION);
      assertThat(config.healthCheckTimeout()).as("%s", raw)
          .isBetween(BalancerConfig.MIN_HEALTH_CHECK_TIMEOUT, BalancerConfig.MAX_HEALTH_CHECK_TIMEOUT);
    }
    // The generator must reach both sides, or the test proves little.
    assertThat(accepted).isBetween(100, 19_900);
  }

  @Test
  void fuzzedFileTargetQueries_buildAResolverOrAreRefusedWithAPrintableMessage() throws Exception {
    Path file = Files.writeString(dir.resolve("endpoints.txt"), "127.0.0.1:1\n");
    SynchronizationContext syncContext = new SynchronizationContext((thread, failure) -> {
      throw new AssertionError("uncaught in the synchronization context", failure);
    });
    NameResolver.Args args = NameResolverTest.args(syncContext, timer);
    BlastwallNameResolverProvider.File files = new BlastwallNameResolverProvider.File();
    SplittableRandom random = new SplittableRandom(7L);
    int built = 0;
    for (int i = 0; i < 5_000; i++) {
      String query = randomQuery(random);
      URI target;
      try {
        target = new URI("blastwall-file", null, file.toUri().getRawPath(), query, null);
      } catch (URISyntaxException notAUri) {
        continue;
      }
      try {
        NameResolver resolver = files.newNameResolver(target, args);
        if (resolver != null) {
          built++;
          resolver.shutdown();
        }
      } catch (IllegalArgumentException refused) {
        assertThat(refused.getMessage()).as(query).isNotBlank().hasSizeLessThan(2_000)
            .doesNotContainPattern("\\p{Cntrl}");
      }
    }
    assertThat(built).isPositive();
  }

  private static Map<String, Object> randomObject(SplittableRandom random, int depth) {
    Map<String, Object> object = new LinkedHashMap<>();
    int size = random.nextInt(depth == 0 ? 3 : 4);
    for (int i = 0; i < size; i++) {
      object.put(KEYS.get(random.nextInt(KEYS.size())), randomValue(random, depth + 1));
    }
    return object;
  }

  private static Object randomValue(SplittableRandom random, int depth) {
    return switch (random.nextInt(depth < 3 ? 8 : 6)) {
      case 0 -> randomDuration(random);
      case 1 -> randomDuration(random);
      case 2 -> (double) random.nextInt(-5, 200);
      case 3 -> random.nextDouble() * Math.pow(10, random.nextInt(-12, 25)) * (random.nextBoolean() ? 1 : -1);
      case 4 -> random.nextBoolean();
      case 5 -> randomText(random);
      case 6 -> randomObject(random, depth);
      default -> {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          list.add(randomValue(random, depth + 1));
        }
        yield list;
      }
    };
  }

  private static String randomDuration(SplittableRandom random) {
    String number = switch (random.nextInt(5)) {
      case 0 -> Integer.toString(random.nextInt(0, 100_000));
      case 1 -> random.nextInt(0, 100) + "." + random.nextInt(0, 1_000_000_000);
      case 2 -> "1e" + random.nextInt(-12, 20);
      case 3 -> "-" + random.nextInt(0, 10);
      default -> Long.toString(random.nextLong());
    };
    return number + (random.nextInt(10) == 0 ? "" : "s");
  }

  private static String randomQuery(SplittableRandom random) {
    StringBuilder query = new StringBuilder();
    for (int part = random.nextInt(3); part >= 0; part--) {
      if (query.length() > 0) {
        query.append('&');
      }
      query.append(switch (random.nextInt(4)) {
        case 0 -> "poll_ms";
        case 1 -> "pol_ms";
        case 2 -> "POLL_MS";
        default -> randomText(random);
      });
      if (random.nextInt(5) != 0) {
        query.append('=').append(switch (random.nextInt(3)) {
          case 0 -> Long.toString(random.nextLong(-10, 5_000_000));
          case 1 -> Long.toString(random.nextLong());
          default -> randomText(random);
        });
      }
    }
    return query.toString();
  }

  /** Short text with ASCII, control bytes and a few characters outside ASCII. */
  private static String randomText(SplittableRandom random) {
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(12); i > 0; i--) {
      int pick = random.nextInt(20);
      text.append(pick == 0 ? (char) random.nextInt(0, 32) : pick == 1 ? (char) random.nextInt(0x80, 0x3000)
          : (char) random.nextInt(32, 127));
    }
    return text.toString();
  }
}
