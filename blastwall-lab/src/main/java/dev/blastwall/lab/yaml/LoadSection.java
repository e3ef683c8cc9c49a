package dev.blastwall.lab.yaml;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.load.RateProfile;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.scenario.Numbers;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The {@code load} key of a lab file: the {@link LoadSpec}. */
final class LoadSection {

  static final double DEFAULT_RATE = 100;
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
  static final Duration DEFAULT_SLO = Duration.ofMillis(300);

  // The command line's own bound on --rate: one load generator on a laptop sends no more.
  static final double MAX_RATE = 100_000;
  // Relative weights; bounded so their sum stays far inside an int.
  static final int MAX_WEIGHT = 1_000;

  private static final Set<String> KEYS = Set.of("rate", "arrivals", "duration", "slo", "mix", "steps");
  private static final Set<String> STEP_KEYS = Set.of("for", "x");
  private static final List<String> ARRIVALS = List.of("poisson", "constant");

  private LoadSection() {}

  /** 100 requests/s, Poisson, for 30 s, SLO 300 ms, all CRITICAL: the load when the file has none. */
  static LoadSpec defaults() {
    return LoadSpec.constant(DEFAULT_RATE, DEFAULT_DURATION, DEFAULT_SLO);
  }

  static LoadSpec read(@Nullable Value value) {
    if (value == null) {
      return defaults();
    }
    Fields fields = value.fields(KEYS);
    Value rateValue = fields.get("rate");
    double rate = rateValue == null ? DEFAULT_RATE : rateValue.positiveNumber(MAX_RATE);
    Value arrivals = fields.get("arrivals");
    boolean poisson = arrivals == null || arrivals.choice(ARRIVALS).equals("poisson");
    Value durationValue = fields.get("duration");
    Duration duration = durationValue == null ? DEFAULT_DURATION : durationValue.positiveDuration();
    Value sloValue = fields.get("slo");
    Duration slo = sloValue == null ? DEFAULT_SLO : sloValue.positiveDuration();
    Value mixValue = fields.get("mix");
    Map<Criticality, Integer> mix = mixValue == null ? Map.of(Criticality.CRITICAL, 1) : mix(mixValue);
    RateProfile.Builder profile = RateProfile.builder(rate);
    Value steps = fields.get("steps");
    if (steps != null) {
      for (Value step : steps.items("steps such as {for: 8s, x: 2}")) {
        Fields stepFields = step.fields(STEP_KEYS);
        Duration length = stepFields.required("for", "how long the step lasts").positiveDuration();
        Value x = stepFields.required("x", "a multiple of the base rate, 0 or more");
        double multiplier = x.number(0, Double.MAX_VALUE);
        if (rate * multiplier > MAX_RATE) {
          throw InvalidValue.of(x.path(), x.raw(),
              "at most " + Numbers.text(MAX_RATE / rate) + ", so that rate x x is at most " + Numbers.text(MAX_RATE));
        }
        profile.step(length, multiplier);
      }
    }
    try {
      return new LoadSpec(profile.build(), poisson, duration, slo, mix);
    } catch (IllegalArgumentException e) {
      throw InvalidValue.fromModel(value.path(), e);
    }
  }

  private static Map<Criticality, Integer> mix(Value value) {
    List<String> names =
        Arrays.stream(Criticality.values()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
    Map<Criticality, Integer> mix = new EnumMap<>(Criticality.class);
    for (Value weight : value.entries("criticalities")) {
      new Value(weight.path(), weight.key()).choice(names);
      mix.put(Criticality.valueOf(weight.key().toUpperCase(Locale.ROOT)), weight.integer(1, MAX_WEIGHT));
    }
    if (mix.isEmpty()) {
      throw InvalidValue.of(value.path(), value.raw(), "at least one criticality with a weight");
    }
    return mix;
  }
}
