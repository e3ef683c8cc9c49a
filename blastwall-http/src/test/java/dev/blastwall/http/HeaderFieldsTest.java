package dev.blastwall.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.propagation.HeaderSource;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HeaderFieldsTest {

  @Test
  void oneLine_isTheValue_severalAreJoinedByCommas() {
    assertThat(HeaderFields.combine(null)).isNull();
    assertThat(HeaderFields.combine(List.of())).isNull();
    assertThat(HeaderFields.combine(List.of("a=1"))).isEqualTo("a=1");
    assertThat(HeaderFields.combine(List.of("a=1", "b=2"))).isEqualTo("a=1,b=2");
  }

  @Test
  void repeatedLines_areBounded() {
    String line = "x".repeat(5000);
    assertThat(HeaderFields.combine(List.of(line, line, line, line))).hasSize(HeaderFields.MAX_COMBINED_CHARS + 1);
  }

  @Test
  void aRepeatedSingleValueHeader_isRefusedByItsParser_notPickedSilently() {
    HeaderSource source = HeaderFields.source(Map.of("grpc-timeout", List.of("100m", "5S")));
    assertThat(HttpPropagation.CODEC.read(source, () -> 0L).deadline().refusal())
        .startsWith("grpc-timeout: \"100m,5S\"");
  }

  @Test
  void jdkClientHeaders_areReadIgnoringCase() {
    HttpHeaders headers = HttpHeaders.of(Map.of("Retry-After", List.of("3")), (name, value) -> true);
    assertThat(HeaderFields.source(headers).get("retry-after")).isEqualTo("3");
  }

  @Test
  void sink_replacesEveryLineOfTheHeader() {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("blastwall-attempt", List.of("1", "2"));
    HeaderFields.sink(headers).set("blastwall-attempt", "3");
    assertThat(HeaderFields.source(headers).get("BLASTWALL-ATTEMPT")).isEqualTo("3");
  }
}
