package dev.blastwall.grpc.balance;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 *       starting with {@code #} skipped), re-read whenever the file's modification time or size changes. The file
 *       is polled every second, or every {@code poll_ms} milliseconds with
 *       {@code blastwall-file:///path?poll_ms=100}, on the channel's scheduler; polling stops with the channel.
 * </ul>
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
      String path = targetUri.getPath();
      if (path == null || path.isEmpty()) {
        throw new IllegalArgumentException("no file path in " + targetUri);
      }
      Duration poll = DEFAULT_POLL_INTERVAL;
      String query = targetUri.getQuery();
      if (query != null) {
        for (String parameter : query.split("&", -1)) {
          if (parameter.startsWith("poll_ms=")) {
            long millis = Long.parseLong(parameter.substring("poll_ms=".length()));
            if (millis <= 0) {
              throw new IllegalArgumentException("poll_ms must be positive in " + targetUri);
            }
            poll = Duration.ofMillis(millis);
          }
        }
      }
      String authority = targetUri.getAuthority();
      return new FileResolver(authority == null || authority.isEmpty() ? "localhost" : authority, Path.of(path),
          poll, args.getSynchronizationContext(), args.getScheduledExecutorService());
    }
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
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalArgumentException("not host:port: \"" + entry + "\" in " + source);
      }
      String host = entry.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(entry.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad port: \"" + entry + "\" in " + source, e);
      }
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("bad port: \"" + entry + "\" in " + source);
      }
      groups.add(new EquivalentAddressGroup(new InetSocketAddress(host, port)));
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("no endpoints in " + source);
    }
    return List.copyOf(groups);
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
   * Polls a file's modification time and size on the synchronization context (a stat per poll; the file, small,
   * is read only when they change) and reports its endpoints when they change. Stops on {@link #shutdown()}.
   */
  static final class FileResolver extends NameResolver {
    private final String authority;
    private final Path file;
    private final Duration poll;
    private final SynchronizationContext syncContext;
    private final ScheduledExecutorService scheduler;
    private @Nullable Listener2 listener;
    private @Nullable ScheduledHandle timer;
    private @Nullable FileTime lastModified;
    private long lastSize = -1;
    private @Nullable List<EquivalentAddressGroup> lastGroups;

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

    /** Re-reads the file if it changed (or if {@code report}), and reports endpoints that changed. */
    private void check(boolean report) {
      Listener2 current = listener;
      if (current == null) {
        return;
      }
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        if (!report && modified.equals(lastModified) && size == lastSize) {
          return;
        }
        lastModified = modified;
        lastSize = size;
        List<EquivalentAddressGroup> groups =
            parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
        if (report || !groups.equals(lastGroups)) {
          lastGroups = groups;
          current.onResult2(ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
        }
      } catch (IOException | IllegalArgumentException e) {
        lastModified = null;
        current.onError(Status.UNAVAILABLE.withDescription("cannot read endpoints from " + file + ": " + e)
            .withCause(e));
      }
    }
  }
}
