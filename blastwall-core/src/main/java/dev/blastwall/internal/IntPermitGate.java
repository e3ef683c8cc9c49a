package dev.blastwall.internal;

/**
 * The circuit breaker's allocation-free permit protocol, an {@code int} per admitted call, for the pipeline's hot
 * path only. The methods are protected, so the public breaker does not offer them (its users get permit objects);
 * the static bridges here, in this package, reach them.
 *
 * @param <K> the failure kinds the gate records (kept generic so that this package depends on no other)
 */
public abstract class IntPermitGate<K> {

  /** What {@link #tryAcquire} answers when the call must not be sent; every permit is non-negative. */
  public static final int NOT_PERMITTED = -1;

  protected IntPermitGate() {}

  /** A permit, or {@link #NOT_PERMITTED}. */
  protected abstract int acquireIntPermit();

  /** The call admitted with {@code permit} succeeded after {@code durationNanos}. */
  protected abstract void succeeded(int permit, long durationNanos);

  /** The call admitted with {@code permit} failed after {@code durationNanos} with a failure of {@code kind}. */
  protected abstract void failed(int permit, long durationNanos, K kind);

  /** The call admitted with {@code permit} ended without an outcome worth recording. */
  protected abstract void released(int permit);

  /** See {@link #acquireIntPermit()}. */
  public static int tryAcquire(IntPermitGate<?> gate) {
    return gate.acquireIntPermit();
  }

  /** See {@link #succeeded}. */
  public static void onSuccess(IntPermitGate<?> gate, int permit, long durationNanos) {
    gate.succeeded(permit, durationNanos);
  }

  /** See {@link #failed}. */
  public static <K> void onFailure(IntPermitGate<K> gate, int permit, long durationNanos, K kind) {
    gate.failed(permit, durationNanos, kind);
  }

  /** See {@link #released}. */
  public static void release(IntPermitGate<?> gate, int permit) {
    gate.released(permit);
  }
}
