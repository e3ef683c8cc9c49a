package dev.blastwall.retry;

import dev.blastwall.internal.Checks;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRPC's retry throttling (gRFC A6): a token count that failures drain and successes refill, with retries allowed
 * only while more than half the tokens are left.
 *
 * <ul>
 *   <li>It starts full, at {@code maxTokens}.
 *   <li>Every failed attempt takes 1 token (never below 0); every successful one gives back {@code tokenRatio}
 *       (never above {@code maxTokens}).
 *   <li>{@link #tryAcquireRetry()} allows a retry while the count is strictly greater than {@code maxTokens / 2}.
 * </ul>
 *
 * <p><b>Acquiring withdraws nothing.</b> Unlike other budgets, a granted retry costs no token here: A6 decides by
 * the count alone, and the retry pays only if it fails too, through {@link #onAttemptFailed()}. So many callers
 * asking at once may all be allowed; the count then falls as their failures come in. {@link #onRequest()} does
 * nothing either.
 *
 * <p>Tokens are kept as an integer count of thousandths, which is exact because A6 gives {@code tokenRatio} with at
 * most 3 decimal places: a long run of successes and failures never drifts.
 *
 * <p>Thread-safe and lock-free; allocates nothing after creation.
 */
public final class RetryThrottle implements RetryBudget {

  static final int MAX_TOKENS = 1000;

  /** Tokens are counted in thousandths: {@code tokenRatio} has at most 3 decimal places. */
  private static final int SCALE = 1000;

  private final int maxTokens;
  private final int maxScaled;
  private final int ratioScaled;

  /** Retries are allowed only while the count is above this: half of {@code maxTokens}, exact in thousandths. */
  private final int thresholdScaled;

  private final AtomicInteger scaledTokens;

  private RetryThrottle(int maxTokens, int ratioScaled) {
    this.maxTokens = maxTokens;
    this.maxScaled = maxTokens * SCALE;
    this.ratioScaled = ratioScaled;
    this.thresholdScaled = maxTokens * (SCALE / 2);
    this.scaledTokens = new AtomicInteger(maxScaled);
  }

  /**
   * A full throttle.
   *
   * @param maxTokens the token count to start from and the cap, in {@code (0, 1000]}
   * @param tokenRatio the tokens a success gives back, in {@code (0, 1]} with at most 3 decimal places
   * @throws IllegalArgumentException if either is out of range
   */
  public static RetryThrottle of(int maxTokens, double tokenRatio) {
    Checks.checkRange("maxTokens", maxTokens, 1, MAX_TOKENS);
    if (!(tokenRatio > 0.0 && tokenRatio <= 1.0)) {
      throw Checks.invalidArgument("tokenRatio", tokenRatio, "0 < tokenRatio <= 1, at most 3 decimal places");
    }
    long scaled = Math.round(tokenRatio * SCALE);
    // Exact for any ratio that is written with 3 decimals: k / 1000.0 is the double nearest to k/1000.
    if ((double) scaled / SCALE != tokenRatio) {
      throw Checks.invalidArgument("tokenRatio", tokenRatio, "0 < tokenRatio <= 1, at most 3 decimal places");
    }
    return new RetryThrottle(maxTokens, (int) scaled);
  }

  /** The starting count and cap. */
  public int maxTokens() {
    return maxTokens;
  }

  /** The tokens a success gives back. */
  public double tokenRatio() {
    return (double) ratioScaled / SCALE;
  }

  /** Does nothing: the throttle counts outcomes, not requests. */
  @Override
  public void onRequest() {}

  /** Gives back {@code tokenRatio} tokens, up to {@code maxTokens}. */
  @Override
  public void onAttemptSucceeded() {
    int current;
    int next;
    do {
      current = scaledTokens.get();
      if (current == maxScaled) {
        return; // already full: skip the write, the common case on a healthy upstream
      }
      next = Math.min(maxScaled, current + ratioScaled);
    } while (!scaledTokens.compareAndSet(current, next));
  }

  /** Takes one token, down to 0. */
  @Override
  public void onAttemptFailed() {
    int current;
    int next;
    do {
      current = scaledTokens.get();
      if (current == 0) {
        return;
      }
      next = Math.max(0, current - SCALE);
    } while (!scaledTokens.compareAndSet(current, next));
  }

  /**
   * Whether more than {@code maxTokens / 2} tokens are left. Withdraws nothing: a failed retry pays through
   * {@link #onAttemptFailed()}, as A6 specifies.
   */
  @Override
  public boolean tryAcquireRetry() {
    return scaledTokens.get() > thresholdScaled;
  }

  /** The current token count, in {@code [0, maxTokens]}. */
  @Override
  public double balance() {
    return (double) scaledTokens.get() / SCALE;
  }

  @Override
  public String toString() {
    return "RetryThrottle[maxTokens=" + maxTokens + ", tokenRatio=" + tokenRatio() + ", tokens=" + balance() + "]";
  }
}
