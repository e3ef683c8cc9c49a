package dev.blastwall.lab.run;

import dev.blastwall.failure.OverloadedException;
import dev.blastwall.lab.run.ReplicaCounters.End;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Answers accepted requests, each exactly once (its ticket decides), and skips the wire for callers that are gone.
 */
final class Answers {

  private Answers() {}

  static void ok(Work work, boolean degraded) {
    if (work.ticket.end(End.COMPLETED) && !work.cancelled()) {
      work.reply.ok(LabWire.reply(degraded));
    }
  }

  static void fail(Work work, Status status, Metadata trailers) {
    if (work.ticket.end(End.FAILED) && !work.cancelled()) {
      work.reply.fail(status, trailers);
    }
  }

  /** A refusal from the queue or admission: RESOURCE_EXHAUSTED with pushback and the do-not-retry mark. */
  static void shed(Work work, OverloadedException reason) {
    if (work.ticket.end(End.SHED) && !work.cancelled()) {
      work.reply.shed(reason);
    }
  }

  /** Drops a request without answering: its caller is gone (shed) or it hung until its caller gave up (failed). */
  static void abandon(Work work, End end) {
    work.ticket.end(end);
  }
}
