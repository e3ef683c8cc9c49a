package dev.blastwall.config;

import dev.blastwall.internal.Untrusted;
import java.util.regex.Pattern;

/** The paths nodes carry: {@code upstreams.inventory.timeout}, {@code grpc.client.methods["a.B/C"]}, {@code x[0]}. */
final class Paths {

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private Paths() {}

  /** The path of {@code key} inside the node at {@code parent}: a plain key after a dot, any other quoted. */
  static String child(String parent, String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return parent.isEmpty() ? key : parent + "." + key;
    }
    return parent + "[" + Untrusted.quote(key) + "]";
  }

  /** The path of item {@code index} of the list at {@code parent}. */
  static String item(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
