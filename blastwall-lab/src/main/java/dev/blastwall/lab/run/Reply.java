package dev.blastwall.lab.run;

import dev.blastwall.failure.OverloadedException;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Where an accepted request's one answer goes, whatever the wire: the lab decides answers as gRPC statuses, and
 * each protocol writes them its own way ({@link GrpcReply} as they are, {@link HttpReply} as HTTP statuses).
 */
interface Reply {

  /** Answers with the reply's flags. */
  void ok(byte[] reply);

  /** Answers with a failure. */
  void fail(Status status, Metadata trailers);

  /** Answers with a refusal of this server's queue or admission (pushback, "do not retry"). */
  void shed(OverloadedException reason);
}
