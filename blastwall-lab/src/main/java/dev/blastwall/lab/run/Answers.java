package dev.blastwall.lab.run;

import dev.blastwall.failure.OverloadedException;
import dev.blastwall.grpc.GrpcStatusMapping;
import dev.blastwall.lab.run.ReplicaCounters.End;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Answers accepted requests, each exactly once (its ticket decides), and skips the wire for callers that are gone.
 */
final class Answers {

  private Answers() {}

  static void ok(Work work, boolean degraded) {
    if (work.ticket.end(End.COMPLETED) && !work.cancelled()) {
      try {
        work.call.sendHeaders(new Metadata());
        work.call.sendMessage(LabWire.reply(degraded));
        work.call.close(Status.OK, new Metadata());
      } catch (IllegalStateException | StatusRuntimeException gone) {
        // The call was cancelled while the answer was being written: nobody is listening.
      }
    }
  }

  static void fail(Work work, Status status, Metadata trailers) {
    if (work.ticket.end(End.FAILED) && !work.cancelled()) {
      close(work, status, trailers);
    }
  }

  /** A refusal from the queue or admission: RESOURCE_EXHAUSTED with pushback and the do-not-retry mark. */
  static void shed(Work work, OverloadedException reason) {
    if (work.ticket.end(End.SHED) && !work.cancelled()) {
      StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(reason);
      Metadata trailers = mapped.getTrailers();
      close(work, mapped.getStatus(), trailers != null ? trailers : new Metadata());
    }
  }

  /** Drops a request without answering: its caller is gone (shed) or it hung until its caller gave up (failed). */
  static void abandon(Work work, End end) {
    work.ticket.end(end);
  }

  private static void close(Work work, Status status, Metadata trailers) {
    try {
      work.call.close(status, trailers);
    } catch (IllegalStateException | StatusRuntimeException gone) {
      // Already closed by a cancel racing this answer.
    }
  }
}
