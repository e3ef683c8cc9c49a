package dev.blastwall.lab.cli;

/** A command line the lab cannot run; its message says which argument and what was expected. */
final class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
