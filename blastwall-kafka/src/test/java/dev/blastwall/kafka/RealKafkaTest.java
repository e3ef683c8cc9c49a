package dev.blastwall.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RealKafkaTest {

  @Test
  void brokerStartsAndCreatesTopics() throws Exception {
    RealKafka kafka = RealKafka.shared();
    String topic = RealKafka.uniqueName("smoke");
    kafka.createTopics(2, topic);
    assertThat(kafka.admin().listTopics().names().get(10, TimeUnit.SECONDS)).contains(topic);
  }
}
