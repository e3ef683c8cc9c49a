package dev.blastwall.lab.run;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.overload.AdmissionController;

/**
 * Admission by criticality for one replica: it holds at most {@code workers + queue} requests, and part of those
 * places are kept for the more critical classes (30% for CRITICAL_PLUS, 20% more for CRITICAL), so under overload
 * the least critical work is refused first, and early. The shares are of all places, workers included: a critical
 * request holds its place while it is served too, so a reserve of queue places alone would be filled by the critical
 * requests in service and leave none for the next to arrive. The controller is the server interceptor's admission
 * itself.
 */
final class CriticalityAdmission {

  private static final double CRITICAL_PLUS_SHARE = 0.3;
  private static final double CRITICAL_SHARE = 0.2;

  private CriticalityAdmission() {}

  static AdmissionController forService(String name, ServiceSpec spec) {
    int capacity = spec.workers() + spec.queue();
    AdmissionController.Builder builder = AdmissionController.builder(name, capacity);
    reserve(builder, Criticality.CRITICAL_PLUS, Math.round(capacity * CRITICAL_PLUS_SHARE), capacity);
    reserve(builder, Criticality.CRITICAL, Math.round(capacity * CRITICAL_SHARE), capacity);
    return builder.build();
  }

  private static void reserve(AdmissionController.Builder builder, Criticality criticality, long slots, int capacity) {
    if (slots >= 1) {
      builder.reserve(criticality, (double) slots / capacity);
    }
  }
}
