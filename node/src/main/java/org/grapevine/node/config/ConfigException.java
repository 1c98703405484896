package org.grapevine.node.config;

import java.nio.file.Path;

/**
 * The config file cannot be used: unreadable, too large, not TOML, an unknown option, a wrong type
 * or a value out of range. The user's fault, so the message names the file, the option and what to
 * do about it; one exception per problem (the first found).
 */
public final class ConfigException extends Exception {
  private final Path file;
  private final String key;

  /**
   * @param file the file at fault, or null when the value came from elsewhere too (a flag over the
   *     config file)
   * @param key the option as {@code section.name}, or null for a problem with the whole file
   */
  public ConfigException(Path file, String key, String problem) {
    super(
        (file == null ? "" : file + (key == null ? "" : ": "))
            + (key == null ? "" : key)
            + ": "
            + problem);
    this.file = file;
    this.key = key;
  }

  public Path file() {
    return file;
  }

  /** The option at fault ({@code section.name}), or null when the whole file is. */
  public String key() {
    return key;
  }
}
