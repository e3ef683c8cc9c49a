package dev.blastwall.kafka;

import java.io.IOException;
import java.io.InputStream;

/**
 * The child JVM's entry point for {@link RealKafka}: runs {@code kafka.Kafka} and halts when the parent's pipe to
 * its stdin closes, so a test JVM that dies (even by {@code kill -9}) never leaves a broker behind.
 */
public final class BrokerMain {

  private BrokerMain() {}

  public static void main(String[] args) throws ReflectiveOperationException {
    Thread watcher = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // The parent writes nothing; EOF means it closed the pipe or died.
        }
      } catch (IOException e) {
        // The pipe broke: the parent is gone either way.
      }
      Runtime.getRuntime().halt(0);
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
    // Reflection: the test module does not read the broker's automatic modules; the child runs on the class path.
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
  }
}
