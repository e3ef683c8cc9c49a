package dev.blastwall.grpc;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A gRPC client that writes HTTP/2 frames itself, with none of grpc-java's client-side checks: it sends any header
 * value (control bytes, a {@code grpc-timeout} that grpc-java would never write) the way a hostile or broken peer
 * would. One connection; calls run one at a time. Header names must be lower case.
 */
final class RawHttp2Client implements AutoCloseable {

  /** How a call ended: its gRPC status, an HTTP/2 reset, or the connection going away under it. */
  record Outcome(@Nullable CharSequence httpStatus, @Nullable Integer grpcStatus, @Nullable String grpcMessage, @Nullable Long resetCode,
      boolean goAway, int dataBytes) {

    boolean hasStatus() {
      return grpcStatus != null;
    }
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel connection;
  private final CompletableFuture<Http2GoAwayFrame> goAway = new CompletableFuture<>();

  RawHttp2Client(int port) throws InterruptedException {
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext context, Object message) {
                    if (message instanceof Http2GoAwayFrame frame) {
                      goAway.complete(frame.retain());
                    }
                    ReferenceCountUtil.release(message);
                  }
                });
          }
        });
    this.connection = bootstrap.connect("127.0.0.1", port).sync().channel();
  }

  /** Whether the server sent GOAWAY on this connection. */
  boolean goneAway() {
    return goAway.isDone() || !connection.isActive();
  }

  /**
   * Calls {@code path} (such as {@code /blastwall.test.Echo/Echo}) with the usual gRPC request headers plus
   * {@code extraHeaders} (in their order), sending {@code message} as one length-prefixed message, and waits at
   * most {@code timeoutMillis} for the call to end.
   *
   * @throws TimeoutException when the call has not ended by then: the server hung
   */
  Outcome call(String path, List<Map.Entry<String, String>> extraHeaders, byte[] message, long timeoutMillis)
      throws InterruptedException, TimeoutException {
    return start(path, extraHeaders, message).await(timeoutMillis);
  }

  /** Starts a call like {@link #call} without waiting for it, so that several share the connection. */
  Pending start(String path, List<Map.Entry<String, String>> extraHeaders, byte[] message)
      throws InterruptedException {
    // No validation: the point is to send what grpc-java's own client refuses to.
    Http2Headers headers = new DefaultHttp2Headers(false)
        .method("POST").scheme("http").authority("127.0.0.1").path(path)
        .set("content-type", "application/grpc")
        .set("te", "trailers");
    for (Map.Entry<String, String> header : extraHeaders) {
      headers.add(header.getKey(), header.getValue());
    }
    StreamRecorder recorder = new StreamRecorder();
    Http2StreamChannel stream;
    try {
      stream = new Http2StreamChannelBootstrap(connection).handler(recorder).open().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException closed) {
      recorder.done.complete(null);
      return new Pending(recorder, null);
    }
    ByteBuf body = Unpooled.buffer(5 + message.length).writeByte(0).writeInt(message.length).writeBytes(message);
    // A failed write closes the stream channel, which ends the wait as well.
    ChannelFuture unusedHeaders = stream.write(new DefaultHttp2HeadersFrame(headers, false));
    ChannelFuture unusedBody = stream.writeAndFlush(new DefaultHttp2DataFrame(body, true));
    return new Pending(recorder, stream);
  }

  /** A call that was started and may still be running. */
  final class Pending {
    private final StreamRecorder recorder;
    private final @Nullable Http2StreamChannel stream;

    private Pending(StreamRecorder recorder, @Nullable Http2StreamChannel stream) {
      this.recorder = recorder;
      this.stream = stream;
    }

    /** Whether the call has ended (status, reset, or its connection gone). */
    boolean isDone() {
      return recorder.done.isDone();
    }

    /** Cancels the call: closing an open stream sends RST_STREAM (CANCEL). */
    void cancel() {
      if (stream != null) {
        ChannelFuture unusedClose = stream.close();
      }
    }

    /** Waits at most {@code timeoutMillis} for the call to end; the stream is closed either way. */
    Outcome await(long timeoutMillis) throws InterruptedException, TimeoutException {
      try {
        recorder.done.get(timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (ExecutionException impossible) {
        throw new AssertionError(impossible);
      } finally {
        if (stream != null) {
          ChannelFuture unusedClose = stream.close();
        }
      }
      return recorder.outcome(goAway.isDone() || stream == null);
    }
  }

  @Override
  public void close() {
    boolean unusedClosed = connection.close().awaitUninterruptibly(5_000);
    boolean unusedStopped = group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
  }

  /** Collects one stream's frames; done at its last frame, a reset, or when the stream channel closes. */
  private static final class StreamRecorder extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private @Nullable CharSequence httpStatus;
    private @Nullable Integer grpcStatus;
    private @Nullable String grpcMessage;
    private @Nullable Long resetCode;

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
      try {
        if (message instanceof Http2HeadersFrame frame) {
          if (frame.headers().status() != null) {
            httpStatus = frame.headers().status();
          }
          CharSequence status = frame.headers().get("grpc-status");
          if (status != null) {
            grpcStatus = Integer.parseInt(status.toString());
            CharSequence description = frame.headers().get("grpc-message");
            grpcMessage = description == null ? null : percentDecode(description.toString());
          }
          if (frame.isEndStream()) {
            done.complete(null);
          }
        } else if (message instanceof Http2DataFrame frame) {
          byte[] bytes = new byte[frame.content().readableBytes()];
          frame.content().readBytes(bytes);
          data.writeBytes(bytes);
          if (frame.isEndStream()) {
            done.complete(null);
          }
        }
      } finally {
        ReferenceCountUtil.release(message);
      }
    }

    /** The multiplexer hands a stream its RST_STREAM as an event, not as a read. */
    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
      if (event instanceof Http2ResetFrame frame) {
        resetCode = frame.errorCode();
        done.complete(null);
      }
      ReferenceCountUtil.release(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      done.complete(null);
    }

    Outcome outcome(boolean goAway) {
      boolean lostToGoAway = goAway && grpcStatus == null && resetCode == null;
      return new Outcome(httpStatus, grpcStatus, grpcMessage, resetCode, lostToGoAway, data.size());
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC's own encoding: '+' is a plus, not a space). */
    private static String percentDecode(String encoded) {
      return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
  }
}
