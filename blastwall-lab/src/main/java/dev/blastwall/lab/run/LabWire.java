package dev.blastwall.lab.run;

import dev.blastwall.grpc.internal.ByteArrayMarshaller;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import java.nio.ByteBuffer;

/**
 * The lab's wire protocol, without protoc: one generic unary service whose request is the user request's id (8
 * bytes, the same on every retry and hedge of it) and whose answer is one byte of flags (bit 0: degraded).
 *
 * <p>Two method names carry the same call: {@code lab.Lab/Call} is declared idempotent (a read, retried and hedged
 * by Blastwall) and {@code lab.Lab/CallOnce} is not. Blastwall decides idempotency per method name, so a caller
 * that makes both kinds of call to one service needs the two names.
 */
final class LabWire {

  static final String SERVICE = "lab.Lab";
  static final MethodDescriptor<byte[], byte[]> CALL = method("Call", true);
  static final MethodDescriptor<byte[], byte[]> CALL_ONCE = method("CallOnce", false);

  private static final int DEGRADED = 1;
  private static final byte[] OK_REPLY = {0};
  private static final byte[] DEGRADED_REPLY = {DEGRADED};

  private LabWire() {}

  /** The method for a call that is, or is not, safe to repeat. */
  static MethodDescriptor<byte[], byte[]> method(boolean idempotent) {
    return idempotent ? CALL : CALL_ONCE;
  }

  /** The service definition answering both methods with {@code handler}. */
  static ServerServiceDefinition service(ServerCallHandler<byte[], byte[]> handler) {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(CALL, handler)
        .addMethod(CALL_ONCE, handler)
        .build();
  }

  static byte[] request(long id) {
    return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
  }

  /** The request id, or -1 for a malformed request. */
  static long requestId(byte[] request) {
    return request.length == Long.BYTES ? ByteBuffer.wrap(request).getLong() : -1;
  }

  static byte[] reply(boolean degraded) {
    return (degraded ? DEGRADED_REPLY : OK_REPLY).clone();
  }

  static boolean degraded(byte[] reply) {
    return reply.length > 0 && (reply[0] & DEGRADED) != 0;
  }

  private static MethodDescriptor<byte[], byte[]> method(String name, boolean idempotent) {
    return MethodDescriptor.<byte[], byte[]>newBuilder(ByteArrayMarshaller.INSTANCE, ByteArrayMarshaller.INSTANCE)
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setIdempotent(idempotent)
        .build();
  }
}
