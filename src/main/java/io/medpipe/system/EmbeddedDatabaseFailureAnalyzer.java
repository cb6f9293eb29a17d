package io.medpipe.system;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * An embedded database that cannot start ends the start with its one-line reason and what to do, instead of a stack
 * trace with the cause in its middle.
 */
class EmbeddedDatabaseFailureAnalyzer extends AbstractFailureAnalyzer<EmbeddedDatabase.StartFailure> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, EmbeddedDatabase.StartFailure cause) {
    return new FailureAnalysis(cause.getMessage(),
        "See docs/security.md (crash recovery) for what medpipe does on its own and when it stops.", null);
  }
}
