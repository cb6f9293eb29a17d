package io.medpipe.ehr;

import java.util.List;

/**
 * An import refused: the message names the file, line and column of every problem found (up to a limit) and
 * never quotes a cell value, which may identify a patient. Nothing of the file was written.
 */
public class ImportException extends RuntimeException {

  private final List<String> problems;

  public ImportException(String file, List<String> problems) {
    super("import of " + file + " refused, nothing was imported: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
