package org.grapevine.cli.keys;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.cli.p2p.Terminal;
import org.grapevine.node.config.DataDir;
import picocli.CommandLine.Option;

/**
 * Where the passphrase of sealed keys comes from, in this order: {@code --passphrase} (where a
 * command has it), {@code --passphrase-file FILE} (its first line), {@code $GRAPEVINE_PASSPHRASE},
 * and, only when the keys are sealed and there is a terminal, a prompt. Scripts and services use
 * the file or the variable; nothing is asked when the keys are not sealed. A {@code @Mixin}.
 */
public final class Passphrases {
  public static final String ENV = "GRAPEVINE_PASSPHRASE";

  /** A passphrase file is one line; anything longer is the wrong file. */
  static final int MAX_FILE_BYTES = 4096;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description =
          "Read the passphrase of sealed keys from the first line of FILE (else $"
              + ENV
              + ", else it is asked for on a terminal).")
  Path file;

  /**
   * The passphrase to use, or null when {@code sealed} is false and none was given, or when the
   * keys are sealed and no source has one (the caller says what to do then).
   *
   * @param given the value of a {@code --passphrase} option, or null
   * @param prompt what the terminal prompt says, e.g. "passphrase for the keys in DIR: "
   */
  public char[] resolve(char[] given, boolean sealed, String prompt) throws CliException {
    if (given != null) {
      return LocalKeys.passphrase(given);
    }
    if (file != null) {
      return fromFile(file);
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isEmpty()) {
      return env.toCharArray();
    }
    if (!sealed) {
      return null;
    }
    Console console = Terminal.console().orElse(null);
    if (console == null) {
      return null;
    }
    char[] typed = console.readPassword("%s", prompt);
    if (typed == null || typed.length == 0) {
      throw new CliException("no passphrase given; the keys are sealed, so one is needed");
    }
    return typed;
  }

  /**
   * The passphrase of the keys of {@code dir}: as {@link #resolve}, asked for only when its root
   * key (or, with the root key offline, its device key) is sealed.
   */
  char[] forKeysIn(DataDir dir, char[] given) throws CliException {
    return resolve(
        given,
        LocalKeys.sealedIfExists(LocalKeys.rootFile(dir))
            || LocalKeys.sealedIfExists(LocalKeys.deviceFile(dir)),
        "passphrase for the keys in " + dir.path() + ": ");
  }

  static char[] fromFile(Path file) throws CliException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new CliException(
            file
                + " is larger than a passphrase file ("
                + MAX_FILE_BYTES
                + " bytes); put the passphrase alone on its first line");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CliException("passphrase file " + file + " does not exist");
    } catch (IOException e) {
      throw new CliException("cannot read the passphrase file " + file + ": " + e.getMessage());
    }
    char[] text;
    try {
      java.nio.CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      text = new char[chars.remaining()];
      chars.get(text);
    } catch (CharacterCodingException e) {
      throw new CliException("passphrase file " + file + " is not UTF-8 text");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    int end = 0;
    while (end < text.length && text[end] != '\n') {
      end++;
    }
    if (end > 0 && text[end - 1] == '\r') {
      end--;
    }
    char[] line = Arrays.copyOf(text, end);
    Arrays.fill(text, '\0');
    if (line.length == 0) {
      throw new CliException(
          "passphrase file " + file + " is empty; put the passphrase on its first line");
    }
    return line;
  }
}
