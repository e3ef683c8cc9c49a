package dev.blastwall.lab.fault;

/** Which way through the proxy a toxic acts, in Toxiproxy's terms. */
public enum Direction {
  /** Client to server: bytes the client sends. */
  UPSTREAM,
  /** Server to client: bytes the server sends back. The default for every toxic, as in Toxiproxy. */
  DOWNSTREAM
}
