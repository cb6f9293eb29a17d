package io.medpipe.ehr;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A refused start-up import ends the start with the import's own message (file, line, column of each problem)
 * instead of a stack trace.
 */
class ImportFailureAnalyzer extends AbstractFailureAnalyzer<ImportException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ImportException cause) {
    return new FailureAnalysis(String.join("\n", cause.problems()),
        "Correct the file or its mapping (medpipe.import.file, medpipe.import.mapping; see docs/import.md) and start"
            + " again. Nothing of the file was imported.",
        null);
  }
}
