package dev.blastwall.bench.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.internal.ByteArrayMarshaller;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.nio.charset.StandardCharsets;

/**
 * The benchmarked service, without protoc: {@code bench.Echo/Echo} answers the request bytes unchanged, and
 * {@code bench.Echo/Context}, used only by the set-up checks, answers whether the handler ran under a Blastwall
 * {@link CallContext} (that is, behind {@code BlastwallServerInterceptor}).
 */
final class Echo {

  /** A small fixed message, about the size of a protobuf request carrying an id or two. */
  static final byte[] PAYLOAD = "blastwall-echo-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  static final byte[] UNDER_BLASTWALL = {1};
  static final byte[] UNDER_NOTHING = {0};

  /**
   * Declared idempotent (an echo has no side effects), so Blastwall retries it without generating an idempotency
   * key per call: the common case of a read.
   */
  static final MethodDescriptor<byte[], byte[]> ECHO = method("Echo");

  static final MethodDescriptor<byte[], byte[]> CONTEXT = method("Context");

  private Echo() {}

  /** The service: both methods answer on the gRPC executor thread that delivered the request. */
  static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder("bench.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(request);
          response.onCompleted();
        }))
        .addMethod(CONTEXT, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(CallContext.current() == CallContext.ROOT ? UNDER_NOTHING : UNDER_BLASTWALL);
          response.onCompleted();
        }))
        .build();
  }

  private static MethodDescriptor<byte[], byte[]> method(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", name))
        .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
        .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
        .setIdempotent(true)
        .setSafe(true)
        .build();
  }
}
