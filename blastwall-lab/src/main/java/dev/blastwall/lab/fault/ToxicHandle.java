package dev.blastwall.lab.fault;

/** A toxic installed on a {@link FaultProxy} under a name, as returned by {@link FaultProxy#addToxic}. */
public final class ToxicHandle implements AutoCloseable {
  private final FaultProxy proxy;
  private final String name;
  private final Toxic toxic;

  ToxicHandle(FaultProxy proxy, String name, Toxic toxic) {
    this.proxy = proxy;
    this.name = name;
    this.toxic = toxic;
  }

  /** The name the toxic was added under. */
  public String name() {
    return name;
  }

  /** The toxic. */
  public Toxic toxic() {
    return toxic;
  }

  /** Whether this toxic is still installed. */
  public boolean active() {
    return proxy.isInstalled(this);
  }

  /**
   * Removes this toxic, if it is still the one installed under its name; new data then passes without it.
   *
   * @return whether this call removed it
   */
  public boolean remove() {
    return proxy.uninstall(this);
  }

  /** Same as {@link #remove()}. */
  @Override
  public void close() {
    remove();
  }

  @Override
  public String toString() {
    return "ToxicHandle[" + name + ": " + toxic + "]";
  }
}
