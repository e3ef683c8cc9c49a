package dev.blastwall.lab.run;

import dev.blastwall.context.CallContext;
import io.grpc.Context;

/** A request accepted by a replica's handler, waiting for a worker or being worked on. */
final class Work {

  /** The user request's id. */
  final long id;
  /** Where the one answer goes (a gRPC call, an HTTP exchange). */
  final Reply reply;
  final Ticket ticket;
  /** The Blastwall context of the call (deadline, criticality, cancellation); ROOT in naive mode. */
  final CallContext context;
  /** gRPC's context of the call: outgoing calls made under it are cancelled with it; ROOT over HTTP. */
  final Context grpcContext;
  private volatile boolean cancelled;

  Work(long id, Reply reply, Ticket ticket, CallContext context, Context grpcContext) {
    this.id = id;
    this.reply = reply;
    this.ticket = ticket;
    this.context = context;
    this.grpcContext = grpcContext;
  }

  /** The caller went away (cancelled, deadline passed, connection lost): nobody reads an answer any more. */
  void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }
}
