package dev.blastwall.lab.run;

/** The server of one replica on {@code 127.0.0.1}, in its protocol; it hands accepted requests to the replica. */
interface ReplicaServer {

  /** The port it listens on (the fault proxy forwards there). */
  int port();

  /** Stops taking requests and drops open connections, without waiting. */
  void stop();

  /** Waits up to {@code millis} for the server's threads to finish. */
  void awaitStopped(long millis) throws InterruptedException;
}
