package dev.blastwall.fanout;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Fanout} run produced: every part's outcome, and the verdict on the whole. Exactly one of
 * {@link #isComplete()}, {@link #isPartial()} and {@link #isFailed()} holds.
 *
 * <pre>{@code
 * FanoutResult home = fanout.run();
 * if (home.isFailed()) { throw home.requiredFailure(); }
 * Page page = new Page(home.get(profile), home.getOrDefault(ads, List.of()), home.get(recs));
 * if (home.isPartial()) { page.flagPartial(home.summary()); }
 * }</pre>
 *
 * <p>Immutable; thread-safe when the parts' values are.
 */
public final class FanoutResult {

  private final String name;
  private final Object owner;
  private final List<PartResult> parts;
  private final @Nullable PartResult requiredFailure;
  private final long elapsedNanos;

  FanoutResult(String name, Object owner, List<PartResult> parts, @Nullable PartResult requiredFailure,
      long elapsedNanos) {
    this.name = name;
    this.owner = owner;
    this.parts = List.copyOf(parts);
    this.requiredFailure = requiredFailure;
    this.elapsedNanos = elapsedNanos;
  }

  /** The fanout's name. */
  public String name() {
    return name;
  }

  /** Every part's outcome, in the order the parts were added. */
  public List<PartResult> parts() {
    return parts;
  }

  /**
   * The outcome of the part {@code key} names.
   *
   * @throws IllegalArgumentException if {@code key} comes from another fanout's builder
   */
  public PartResult part(PartKey<?> key) {
    if (key.owner() != owner || key.index() >= parts.size()) {
      throw Checks.invalidArgument("key", key, "a part of fanout \"" + name + "\"");
    }
    return parts.get(key.index());
  }

  /**
   * The outcome of the part called {@code partName}.
   *
   * @throws IllegalArgumentException if no part has that name
   */
  public PartResult part(String partName) {
    for (PartResult part : parts) {
      if (part.name().equals(partName)) {
        return part;
      }
    }
    throw Checks.invalidArgument("part", '"' + partName + '"', "a part of fanout \"" + name + "\"");
  }

  /** The status of the part {@code key} names. */
  public PartStatus status(PartKey<?> key) {
    return part(key).status();
  }

  /**
   * The part's value: its own when {@link PartStatus#OK}, its fallback's when {@link PartStatus#DEGRADED}, and
   * null when it has none (failed, timed out, cancelled).
   */
  @SuppressWarnings("unchecked") // The key's type is the type of the part it was issued for.
  public <T extends @Nullable Object> @Nullable T get(PartKey<T> key) {
    return (T) part(key).value();
  }

  /** Like {@link #get}, but {@code defaultValue} when the part has no value. */
  // The key's type is the type of the part it was issued for, so a part with a value holds a T, null only when T
  // admits it.
  @SuppressWarnings({"unchecked", "NullAway"})
  public <T extends @Nullable Object> T getOrDefault(PartKey<T> key, T defaultValue) {
    PartResult part = part(key);
    return part.hasValue() ? (T) part.value() : defaultValue;
  }

  /** Whether every part answered by itself ({@link PartStatus#OK}). */
  public boolean isComplete() {
    return okCount() == parts.size();
  }

  /** Whether every required part answered, and some optional part did not (so some values are stand-ins or missing). */
  public boolean isPartial() {
    return requiredFailure == null && !isComplete();
  }

  /** Whether a required part failed, timed out or was cancelled: see {@link #requiredFailure()}. */
  public boolean isFailed() {
    return requiredFailure != null;
  }

  /**
   * Why the fanout failed: the failure of the first required part that did not answer (which ended the fanout),
   * or null when none failed.
   */
  public @Nullable Throwable requiredFailure() {
    return requiredFailure == null ? null : requiredFailure.cause();
  }

  /** The name of the required part that failed the fanout, or null when none did. */
  public @Nullable String failedPart() {
    return requiredFailure == null ? null : requiredFailure.name();
  }

  /** How many parts answered by themselves. */
  public int okCount() {
    int ok = 0;
    for (PartResult part : parts) {
      if (part.status() == PartStatus.OK) {
        ok++;
      }
    }
    return ok;
  }

  /** From the start of the run until its result was complete. */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos);
  }

  /**
   * One line for logs and response flags: {@code "7 of 10 parts ok; ads: TIMED_OUT; recs: DEGRADED (ranker
   * down: chronological)"}, listing the parts that are not OK in the order they were added.
   */
  public String summary() {
    StringBuilder text = new StringBuilder().append(okCount()).append(" of ").append(parts.size())
        .append(" parts ok");
    for (PartResult part : parts) {
      if (part.status() != PartStatus.OK) {
        text.append("; ").append(part.describe());
      }
    }
    return text.toString();
  }

  @Override
  public String toString() {
    String verdict = isComplete() ? "complete" : isPartial() ? "partial" : "failed";
    return "FanoutResult[" + name + ", " + verdict + ": " + summary() + ", elapsed " + elapsed() + "]";
  }
}
