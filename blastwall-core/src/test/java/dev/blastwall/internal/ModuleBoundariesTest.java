package dev.blastwall.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Core's compiled classes keep the module's rules: no public mutable state, and no package cycle through here. */
class ModuleBoundariesTest {

  @Test
  void noPublicFieldCanBeChangedFromOutside() throws Exception {
    List<String> mutable = new ArrayList<>();
    for (Class<?> type : coreClasses()) {
      for (Field field : type.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (!Modifier.isPublic(modifiers) || field.isSynthetic()) {
          continue;
        }
        if (!Modifier.isFinal(modifiers)) {
          mutable.add(field + " (not final)");
        } else if (field.getType().isArray()) {
          mutable.add(field + " (an array)");
        } else if (Modifier.isStatic(modifiers)
            && (Collection.class.isAssignableFrom(field.getType()) || Map.class.isAssignableFrom(field.getType()))
            && field.trySetAccessible() && !isUnmodifiable(field.get(null))) {
          mutable.add(field + " (a modifiable collection)");
        }
      }
    }
    assertThat(mutable).isEmpty();
  }

  @Test
  void theInternalPackageDoesNotDependOnTheContextPackage() throws Exception {
    // dev.blastwall.context uses this package (checks, the thread's context binding); a reference back would make
    // the two one tangle. A class file names every class it refers to in its constant pool.
    List<String> referring = new ArrayList<>();
    try (Stream<Path> files = Files.list(classesRoot().resolve("dev/blastwall/internal"))) {
      for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
        String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        if (constants.contains("dev/blastwall/context/")) {
          referring.add(file.getFileName().toString());
        }
      }
    }
    assertThat(referring).isEmpty();
  }

  private static boolean isUnmodifiable(Object value) {
    String name = value.getClass().getName();
    return name.startsWith("java.util.ImmutableCollections") || name.startsWith("java.util.Collections$Unmodifiable")
        || name.startsWith("java.util.Collections$Empty");
  }

  private static Path classesRoot() throws URISyntaxException {
    return Path.of(ContextBinding.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static List<Class<?>> coreClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = classesRoot();
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
        String relative = root.relativize(file).toString();
        if (relative.endsWith("module-info.class") || relative.endsWith("package-info.class")) {
          continue;
        }
        String name = relative.substring(0, relative.length() - ".class".length()).replace(file.getFileSystem()
            .getSeparator(), ".");
        classes.add(Class.forName(name, false, ModuleBoundariesTest.class.getClassLoader()));
      }
    }
    assertThat(classes).hasSizeGreaterThan(100);
    return classes;
  }
}
