package dev.blastwall.server;

import dev.blastwall.context.CallContext;
import dev.blastwall.failure.OverloadedException;

/** {@link Admission#ALWAYS}: one shared permit that holds nothing, so admitting allocates nothing. */
enum AlwaysAdmit implements Admission, Permit {
  INSTANCE;

  @Override
  public Permit tryAdmit(CallContext context) {
    return this;
  }

  @Override
  public OverloadedException rejection(CallContext context) {
    throw new IllegalStateException("Admission.ALWAYS refuses nothing (expected: rejection only after a refusal)");
  }

  @Override
  public void onSuccess() {}

  @Override
  public void onDropped() {}

  @Override
  public void onIgnore() {}

  @Override
  public String toString() {
    return "Admission.ALWAYS";
  }
}
