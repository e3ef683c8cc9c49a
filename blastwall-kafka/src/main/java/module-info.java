/** Blastwall on Kafka: a context-carrying, deadline-bounded producer and an at-least-once consumer runner. */
// "requires-transitive-automatic": kafka-clients ships only an Automatic-Module-Name; its producer, consumer and
// record types are part of this module's API (callers pass them in), so the requirement has to be transitive.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.blastwall.kafka {
  requires static transitive org.jspecify;
  requires transitive dev.blastwall.core;
  requires transitive kafka.clients;

  exports dev.blastwall.kafka;
}
