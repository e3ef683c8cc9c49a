package dev.blastwall.grpc.balance;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Suggestions;
import dev.blastwall.internal.Untrusted;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Name resolvers for fixed and file-listed endpoints, registered through {@code ServiceLoader}:
 *
 * <ul>
 *   <li>{@code blastwall-static:///127.0.0.1:5001,127.0.0.1:5002}: the listed {@code host:port}s, resolved once;
 *   <li>{@code blastwall-file:///path/to/endpoints.txt}: one {@code host:port} per line (blank lines and lines
 *       starting with {@code #} skipped), read at every poll and reported when its content changes (whatever its
 *       modification time and size say). The file is polled every second, or every {@code poll_ms} milliseconds
 *       ({@value #MIN_POLL_MILLIS} to {@value #MAX_POLL_MILLIS}) with {@code blastwall-file:///path?poll_ms=100},
 *       on the channel's scheduler; polling stops with the channel. It may hold at most
 *       {@value #MAX_FILE_BYTES} bytes.
 * </ul>
 *
 * <p>A target with a query parameter other than these, or a bad value, is refused when the channel is built
 * ({@link IllegalArgumentException} from {@code ManagedChannelBuilder.build()}), with a message like
 * {@code poll_ms: "abc" (expected: ...)}; a misspelt parameter names the one it resembles. A file that cannot be
 * read or parsed fails the channel's calls with UNAVAILABLE and says why, until a poll finds it good again.
 *
 * <p>Hosts should be IP literals: names are looked up once per resolution with {@link InetSocketAddress}.
 */
public abstract class BlastwallNameResolverProvider extends NameResolverProvider {

  /** The scheme of fixed lists. */
  public static final String STATIC_SCHEME = "blastwall-static";

  /** The scheme of files of endpoints. */
  public static final String FILE_SCHEME = "blastwall-file";

  /** How often the file is polled by default. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  /** The shortest {@code poll_ms}: a poll reads the whole file. */
  public static final long MIN_POLL_MILLIS = 10;

  /** The longest {@code poll_ms}, an hour. */
  public static final long MAX_POLL_MILLIS = 3_600_000;

  /** The largest endpoints file read; a larger one is reported as an error rather than read every poll. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private static final String POLL_MS = "poll_ms";

  private final String scheme;

  BlastwallNameResolverProvider(String scheme) {
    this.scheme = scheme;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return scheme;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  /** {@code blastwall-static:///host:port,host:port}. */
  public static final class Static extends BlastwallNameResolverProvider {
    /** For {@code ServiceLoader}. */
    public Static() {
      super(STATIC_SCHEME);
    }

    @Override
    public @Nullable NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
      if (!STATIC_SCHEME.equals(targetUri.getScheme())) {
        return null;
      }
      parameters(targetUri, List.of());
      String path = Objects.requireNonNullElse(targetUri.getPath(), "");
      List<String> entries = List.of((path.startsWith("/") ? path.substring(1) : path).split(",", -1));
      List<EquivalentAddressGroup> groups = parse(entries, targetUri.toString());
      return new StaticResolver(authorityOf(targetUri, groups), groups, args.getSynchronizationContext());
    }
  }

  /** {@code blastwall-file:///path/to/endpoints.txt[?poll_ms=N]}. */
  public static final class File extends BlastwallNameResolverProvider {
    /** For {@code ServiceLoader}. */
    public File() {
      super(FILE_SCHEME);
    }

    @Override
    public @Nullable NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
      if (!FILE_SCHEME.equals(targetUri.getScheme())) {
        return null;
      }
      Map<String, String> parameters = parameters(targetUri, List.of(POLL_MS));
      String path = targetUri.getPath();
      if (path == null || path.isEmpty()) {
        throw Checks.invalidArgument("path", Untrusted.quote(targetUri.toString()),
            "a target with a file path, like blastwall-file:///etc/orders/endpoints.txt");
      }
      Path file;
      try {
        file = Path.of(path);
      } catch (InvalidPathException e) {
        throw Checks.invalidArgument("path", Untrusted.quote(path), "a file path: " + e.getReason());
      }
      String pollMillis = parameters.get(POLL_MS);
      Duration poll = pollMillis == null ? DEFAULT_POLL_INTERVAL : Duration.ofMillis(pollMillis(pollMillis));
      String authority = targetUri.getAuthority();
      return new FileResolver(authority == null || authority.isEmpty() ? "localhost" : authority, file, poll,
          args.getSynchronizationContext(), args.getScheduledExecutorService());
    }
  }

  /** {@code poll_ms}, checked here so that no interval the timer cannot hold reaches the channel. */
  private static long pollMillis(String text) {
    // At most 18 digits, which a long always holds; a longer number is far out of bounds anyway.
    if (!text.isEmpty() && text.length() <= 18 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      long millis = Long.parseLong(text);
      if (millis >= MIN_POLL_MILLIS && millis <= MAX_POLL_MILLIS) {
        return millis;
      }
    }
    throw Checks.invalidArgument(POLL_MS, Untrusted.quote(text),
        "an integer number of milliseconds from " + MIN_POLL_MILLIS + " to " + MAX_POLL_MILLIS);
  }

  /**
   * The query parameters of {@code uri}, {@code key=value} separated by {@code &}, each key in {@code known} and
   * given once.
   */
  private static Map<String, String> parameters(URI uri, List<String> known) {
    String query = uri.getQuery();
    Map<String, String> parameters = new LinkedHashMap<>();
    if (query == null) {
      return parameters;
    }
    for (String parameter : query.split("&", -1)) {
      int equals = parameter.indexOf('=');
      String key = equals < 0 ? parameter : parameter.substring(0, equals);
      String value = equals < 0 ? "" : parameter.substring(equals + 1);
      if (!known.contains(key)) {
        throw Checks.invalidArgument(ConfigObject.segment(key), "unknown query parameter of " + uri.getScheme(),
            known.isEmpty() ? "no query" : Suggestions.oneOf(key, known));
      }
      if (parameters.putIfAbsent(key, value) != null) {
        throw Checks.invalidArgument(key, Untrusted.quote(value), "one " + key + " in the query");
      }
    }
    return parameters;
  }

  private static String authorityOf(URI uri, List<EquivalentAddressGroup> groups) {
    String authority = uri.getAuthority();
    if (authority != null && !authority.isEmpty()) {
      return authority;
    }
    InetSocketAddress first = (InetSocketAddress) groups.get(0).getAddresses().get(0);
    return first.getHostString() + ":" + first.getPort();
  }

  /** Parses {@code host:port} entries ({@code [v6]:port} for IPv6), skipping blanks and {@code #} comments. */
  static List<EquivalentAddressGroup> parse(List<String> entries, String source) {
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      int colon = entry.lastIndexOf(':');
      int port = colon <= 0 ? 0 : portOf(entry.substring(colon + 1));
      if (port == 0) {
        throw Checks.invalidArgument("endpoint in " + source, Untrusted.quote(entry),
            "host:port, or [v6]:port, with a port from 1 to 65535");
      }
      String host = entry.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      groups.add(new EquivalentAddressGroup(new InetSocketAddress(host, port)));
    }
    if (groups.isEmpty()) {
      throw Checks.invalidArgument("endpoints in " + source, "none", "at least one host:port");
    }
    return List.copyOf(groups);
  }

  /** The port written as {@code text}, or 0 when it is not a number from 1 to 65535. */
  private static int portOf(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return 0;
    }
    int port = Integer.parseInt(text);
    return port <= 65_535 ? port : 0;
  }

  /** Reports a fixed list once per start or refresh. */
  static final class StaticResolver extends NameResolver {
    private final String authority;
    private final List<EquivalentAddressGroup> groups;
    private final SynchronizationContext syncContext;
    private @Nullable Listener2 listener;

    StaticResolver(String authority, List<EquivalentAddressGroup> groups, SynchronizationContext syncContext) {
      this.authority = authority;
      this.groups = groups;
      this.syncContext = syncContext;
    }

    @Override
    public String getServiceAuthority() {
      return authority;
    }

    @Override
    public void start(Listener2 newListener) {
      this.listener = newListener;
      refresh();
    }

    @Override
    public void refresh() {
      Listener2 current = listener;
      if (current != null) {
        syncContext.execute(() -> current.onResult2(ResolutionResult.newBuilder()
            .setAddressesOrError(StatusOr.fromValue(groups)).build()));
      }
    }

    @Override
    public void shutdown() {
      listener = null;
    }
  }

  /**
   * Reads a file at every poll on the synchronization context and reports its endpoints when they change. The
   * content is compared, not the modification time or size: a rewrite that keeps both (as {@code cp -p} of a file
   * of the same length does) is still noticed. Stops on {@link #shutdown()}.
   */
  static final class FileResolver extends NameResolver {
    private final String authority;
    private final Path file;
    private final Duration poll;
    private final SynchronizationContext syncContext;
    private final ScheduledExecutorService scheduler;
    private @Nullable Listener2 listener;
    private @Nullable ScheduledHandle timer;
    // The bytes last parsed without error, one char each (ISO-8859-1 is lossless); null after an error, so that
    // the next poll parses again.
    private @Nullable String lastContent;
    private @Nullable List<EquivalentAddressGroup> lastGroups;
    // The error last reported: a poll that finds the same one again stays quiet (gRPC logs each report).
    private @Nullable String lastError;

    FileResolver(String authority, Path file, Duration poll, SynchronizationContext syncContext,
        ScheduledExecutorService scheduler) {
      this.authority = authority;
      this.file = file;
      this.poll = poll;
      this.syncContext = syncContext;
      this.scheduler = scheduler;
    }

    @Override
    public String getServiceAuthority() {
      return authority;
    }

    @Override
    public void start(Listener2 newListener) {
      syncContext.execute(() -> {
        listener = newListener;
        check(true);
        schedule();
      });
    }

    @Override
    public void refresh() {
      syncContext.execute(() -> check(true));
    }

    @Override
    public void shutdown() {
      syncContext.execute(() -> {
        listener = null;
        ScheduledHandle handle = timer;
        timer = null;
        if (handle != null) {
          handle.cancel();
        }
      });
    }

    private void schedule() {
      if (listener == null) {
        return;
      }
      timer = syncContext.schedule(() -> {
        timer = null;
        check(false);
        schedule();
      }, poll.toNanos(), TimeUnit.NANOSECONDS, scheduler);
    }

    /** Re-reads the file and reports its endpoints if they changed (or always, if {@code report}). */
    private void check(boolean report) {
      Listener2 current = listener;
      if (current == null) {
        return;
      }
      try {
        byte[] bytes = read();
        String content = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!report && content.equals(lastContent)) {
          return;
        }
        List<EquivalentAddressGroup> groups = parse(
            List.of(new String(bytes, StandardCharsets.UTF_8).split("\\R", -1)), file.toString());
        lastContent = content;
        lastError = null;
        if (report || !groups.equals(lastGroups)) {
          lastGroups = groups;
          current.onResult2(ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
        }
      } catch (IOException | IllegalArgumentException e) {
        lastContent = null;
        String error = "cannot read endpoints from " + file + ": " + e.getMessage();
        if (report || !error.equals(lastError)) {
          lastError = error;
          current.onError(Status.UNAVAILABLE.withDescription(error).withCause(e));
        }
      }
    }

    /** The whole file, refused beyond {@link #MAX_FILE_BYTES} (a wrong path, say, to a log file). */
    private byte[] read() throws IOException {
      try (InputStream in = Files.newInputStream(file)) {
        byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
        if (content.length > MAX_FILE_BYTES) {
          throw Checks.invalidArgument("size of " + file, "more than " + MAX_FILE_BYTES + " bytes",
              "at most " + MAX_FILE_BYTES + " bytes");
        }
        return content;
      }
    }
  }
}
