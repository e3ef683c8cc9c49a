package dev.blastwall.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import redis.embedded.RedisServer;

/**
 * A real redis-server for one test class: the binary embedded-redis ships as a Maven artifact, on a free loopback
 * port, without persistence; stopped (the process killed) on close.
 */
final class RealRedis implements AutoCloseable {

  private final RedisServer server;
  private final int port;

  private RealRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  static RealRedis start() {
    int port = freePort();
    RedisServer server = RedisServer.builder().port(port).bind("127.0.0.1")
        .setting("save \"\"").setting("appendonly no").build();
    server.start();
    return new RealRedis(server, port);
  }

  /** A free loopback port now; nothing else on this machine binds ports in the instant before Redis does. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  /** A client for this server with the options a service should use: fail at once while disconnected. */
  RedisClient client() {
    return client(port);
  }

  static RedisClient client(int port) {
    RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
        .withTimeout(Duration.ofSeconds(2)).build());
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    return client;
  }

  static StatefulRedisConnection<byte[], byte[]> connect(RedisClient client) {
    return client.connect(ByteArrayCodec.INSTANCE);
  }

  @Override
  public void close() {
    server.stop();
  }
}
