package dev.blastwall.lab.yaml;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Lab plans written in YAML (see {@code docs/lab-yaml.md}): the topology ({@code entry}, {@code services}) and,
 * each optional with the model's defaults, {@code load}, {@code faults} and {@code modes}. Reading is strict: an
 * unknown key, a value of the wrong type or out of range, an unknown service or a cycle of calls fails with a
 * {@link LabFileException} naming the source, the line, the path and the value. So does a file past the limits that
 * keep a hostile or careless file from exhausting the lab: {@link #MAX_BYTES}, {@link #MAX_CHARACTERS},
 * {@link #MAX_DEPTH}, {@link #MAX_SCALAR} and {@link #MAX_ALIASES}.
 */
public final class LabFile {

  /**
   * The most levels of mappings and lists a file may nest, the top-level mapping included and what an alias refers
   * to counted where the alias is. Plans nest about ten deep; the parser and the readers recurse once per level.
   */
  public static final int MAX_DEPTH = 64;

  /** The most characters (Unicode code points) a plan may have: 1 MiB, a hundred times a large plan. */
  public static final int MAX_CHARACTERS = 1 << 20;

  /** The most bytes {@link #load} reads from a file: 1 MiB. */
  public static final int MAX_BYTES = 1 << 20;

  /** The most characters of one key or value: names, durations and numbers are short. */
  public static final int MAX_SCALAR = 4096;

  /** The most aliases of mappings and lists a file may use, so it cannot expand into a huge value. */
  public static final int MAX_ALIASES = 50;

  private static final Set<String> PLAN_KEYS = Set.of("entry", "services", "load", "faults", "modes");
  private static final Set<String> TOPOLOGY_KEYS = Set.of("entry", "services");

  private LabFile() {}

  /**
   * Reads the plan in {@code file} (UTF-8, at most {@link #MAX_BYTES}).
   *
   * @throws IOException if the file cannot be read
   * @throws LabFileException if it is too large, not UTF-8 or not a valid plan, naming the file as given
   */
  public static LabPlan load(Path file) throws IOException {
    return parse(readText(file), file.toString());
  }

  // The file as text, read no further than the limit so an endless or huge file cannot exhaust the heap.
  private static String readText(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw new LabFileException(file.toString(), OptionalInt.empty(),
          "size: more than " + MAX_BYTES + " bytes (expected: at most " + MAX_BYTES + " bytes, 1 MiB)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    CoderResult result = decoder.decode(in, out, /* endOfInput= */ true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new LabFileException(file.toString(), OptionalInt.of(line),
          "encoding: not UTF-8 (expected: a YAML file in UTF-8)");
    }
    return out.flip().toString();
  }

  /**
   * Reads the plan in {@code yaml}.
   *
   * @param sourceName the name errors start with, usually the file's
   * @throws LabFileException if it is not a valid plan
   */
  public static LabPlan parse(String yaml, String sourceName) {
    return read(yaml, sourceName, root -> {
      Fields fields = root.fields(PLAN_KEYS);
      Topology topology = TopologySection.read(fields);
      Set<String> services = topology.services().keySet();
      List<ScheduledFault> faults = FaultsSection.read(fields.get("faults"), topology);
      ModesSection modes = ModesSection.read(fields.get("modes"), services);
      return new LabPlan(topology, LoadSection.read(fields.get("load")), faults, modes.naive(), modes.blastwall());
    });
  }

  /**
   * Reads a file that holds a topology only: {@code entry} and {@code services}, no other key.
   *
   * @throws LabFileException if it is not a valid topology
   */
  public static Topology parseTopology(String yaml, String sourceName) {
    return read(yaml, sourceName, root -> TopologySection.read(root.fields(TOPOLOGY_KEYS)));
  }

  /**
   * {@code topology} and {@code faults} as a lab file that {@link #parse} reads back to equal values, settings at
   * their defaults left out. The file has no {@code load} or {@code modes}, so reading it gives their defaults.
   */
  public static String write(Topology topology, List<ScheduledFault> faults) {
    Map<String, Object> file = new LinkedHashMap<>();
    TopologySection.write(topology, file);
    if (!faults.isEmpty()) {
      file.put("faults", FaultsSection.write(faults));
    }
    DumpSettings settings =
        DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.BLOCK)
            // List items indented under their key, as people write them.
            .setIndent(2)
            .setIndicatorIndent(2)
            .setIndentWithIndicator(true)
            .build();
    return new Dump(settings).dumpToString(file);
  }

  private static <T> T read(String yaml, String sourceName, Function<Value, T> reader) {
    Document document = Document.parse(yaml, sourceName);
    Value root = document.value();
    if (root.raw() == null) {
      throw new LabFileException(sourceName, OptionalInt.empty(), "empty (expected: a mapping with entry and services)");
    }
    try {
      return reader.apply(root);
    } catch (InvalidValue e) {
      throw new LabFileException(sourceName, document.lineOf(e.path()), String.valueOf(e.getMessage()));
    } catch (IllegalArgumentException e) {
      // A check of the model this reader does not repeat: its message still names the setting and the value.
      throw new LabFileException(sourceName, OptionalInt.empty(), String.valueOf(e.getMessage()));
    }
  }
}
