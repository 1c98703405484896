package org.grapevine.node.storage;

import java.nio.file.Path;

/**
 * The store's directory is held by another open store, in this process or another (typically a
 * running node). A local condition, not damage: stop the other holder and try again. An {@link
 * IllegalStateException} as every other failure to open the store; callers that need to tell it
 * apart (the CLI, to say "stop the node first") catch this type.
 */
public final class StoreLockedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  public StoreLockedException(Path directory, String holder) {
    super("the store in " + directory + " is in use (its lock is held by " + holder + ")");
    this.directory = directory;
  }

  public Path directory() {
    return directory;
  }
}
