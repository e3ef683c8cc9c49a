package dev.blastwall.lab.yaml;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Topology;
import java.io.IOException;
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
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Lab plans written in YAML (see {@code docs/lab-yaml.md}): the topology ({@code entry}, {@code services}) and,
 * each optional with the model's defaults, {@code load}, {@code faults} and {@code modes}. Reading is strict: an
 * unknown key, a value of the wrong type or out of range, an unknown service or a cycle of calls fails with a
 * {@link LabFileException} naming the source, the line, the path and the value.
 */
public final class LabFile {

  private static final Set<String> PLAN_KEYS = Set.of("entry", "services", "load", "faults", "modes");
  private static final Set<String> TOPOLOGY_KEYS = Set.of("entry", "services");

  private LabFile() {}

  /**
   * Reads the plan in {@code file} (UTF-8).
   *
   * @throws IOException if the file cannot be read
   * @throws LabFileException if it is not a valid plan, naming the file as given
   */
  public static LabPlan load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
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
    Document document;
    try {
      document = Document.parse(yaml, sourceName);
    } catch (MarkedYamlEngineException e) {
      OptionalInt line = e.getProblemMark().map(mark -> OptionalInt.of(mark.getLine() + 1)).orElse(OptionalInt.empty());
      throw new LabFileException(sourceName, line, "not valid YAML: " + problem(e));
    } catch (YamlEngineException e) {
      throw new LabFileException(sourceName, OptionalInt.empty(), "not valid YAML: " + e.getMessage());
    }
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

  private static String problem(MarkedYamlEngineException e) {
    String problem = String.valueOf(e.getProblem()).trim();
    String context = e.getContext() == null ? "" : e.getContext().trim();
    int contextLine = e.getContextMark().map(Mark::getLine).orElse(-1) + 1;
    return context.isEmpty() ? problem : problem + " (" + context + (contextLine > 0 ? " on line " + contextLine : "") + ")";
  }
}
