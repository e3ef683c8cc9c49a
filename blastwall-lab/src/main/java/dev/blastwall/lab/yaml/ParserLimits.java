package dev.blastwall.lab.yaml;

import dev.blastwall.internal.Untrusted;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * snakeyaml-engine's parser with the limits the engine lacks: on nesting and on the length of a scalar.
 *
 * <p>The engine's composer, its constructor and the lab's readers all recurse once per level, so a file nested a
 * few thousand deep would end in a StackOverflowError. Levels are counted as the event stream passes, before the composer goes deeper, with what an
 * alias refers to counted at the alias (ten aliases of a value ten levels deep, each nesting the last, are a
 * hundred levels to whoever walks the value). An alias inside the value its anchor names is refused: that value
 * would contain itself, and the readers would walk it forever.
 *
 * <p>A scalar's length is bounded because the engine reads a whole number into a BigInteger, in time that grows
 * with the square of its digits (a million digits: half a minute).
 */
final class ParserLimits implements Parser {

  private final Parser parser;
  private final String sourceName;
  private final int maxDepth;
  private final int maxScalar;
  // The mappings and lists open around the current event, innermost first.
  private final Deque<Open> open = new ArrayDeque<>();
  // The levels of each anchored value, from itself down (0 for a scalar), as far as the file has been read.
  private final Map<Anchor, Integer> heights = new HashMap<>();
  private final Set<Anchor> openAnchors = new HashSet<>();
  private @Nullable Mark lastMark;
  private int collectionAliases;

  ParserLimits(Parser parser, String sourceName, int maxDepth, int maxScalar) {
    this.parser = parser;
    this.sourceName = sourceName;
    this.maxDepth = maxDepth;
    this.maxScalar = maxScalar;
  }

  /** The line (from 1) of the last event read, where reading stopped. */
  OptionalInt lastLine() {
    return lastMark == null ? OptionalInt.empty() : OptionalInt.of(lastMark.getLine() + 1);
  }

  /** How many aliases of mappings and lists were read: what the engine's own limit on aliases counts. */
  int collectionAliases() {
    return collectionAliases;
  }

  @Override
  public boolean checkEvent(Event.ID choice) {
    return parser.checkEvent(choice);
  }

  @Override
  public Event peekEvent() {
    return parser.peekEvent();
  }

  @Override
  public boolean hasNext() {
    return parser.hasNext();
  }

  @Override
  public Event next() {
    Event event = parser.next();
    lastMark = event.getStartMark().orElse(lastMark);
    switch (event) {
      case CollectionStartEvent start -> {
        check(open.size() + 1);
        Optional<Anchor> anchor = start.getAnchor();
        anchor.ifPresent(openAnchors::add);
        open.push(new Open(anchor.orElse(null)));
      }
      case CollectionEndEvent end -> {
        Open closed = open.pop();
        if (closed.anchor != null) {
          openAnchors.remove(closed.anchor);
          heights.put(closed.anchor, closed.height);
        }
        reach(closed.height);
      }
      case AliasEvent alias -> {
        Anchor anchor = alias.getAlias();
        if (openAnchors.contains(anchor)) {
          throw new LabFileException(sourceName, lastLine(), "alias: *" + Untrusted.escape(anchor.getValue())
              + " inside the value it refers to (expected: an alias after the end of its anchor's value)");
        }
        int height = heights.getOrDefault(anchor, 0);
        if (height > 0) {
          collectionAliases++;
        }
        check(open.size() + height);
        reach(height);
      }
      case ScalarEvent scalar -> {
        if (scalar.getValue().length() > maxScalar) {
          throw new LabFileException(sourceName, lastLine(), "scalar: " + scalar.getValue().length()
              + " characters (expected: at most " + maxScalar + " characters in a key or value)");
        }
        scalar.getAnchor().ifPresent(anchor -> heights.put(anchor, 0));
      }
      default -> {}
    }
    return event;
  }

  // A value of `height` levels ended inside the innermost open collection.
  private void reach(int height) {
    Open parent = open.peek();
    if (parent != null) {
      parent.height = Math.max(parent.height, 1 + height);
    }
  }

  private void check(int depth) {
    if (depth > maxDepth) {
      throw new LabFileException(sourceName, lastLine(),
          "nesting: " + depth + " levels (expected: at most " + maxDepth + " levels of mappings and lists)");
    }
  }

  /** A mapping or list being read: its anchor and the levels found in it so far (itself included). */
  private static final class Open {
    final @Nullable Anchor anchor;
    int height = 1;

    Open(@Nullable Anchor anchor) {
      this.anchor = anchor;
    }
  }
}
