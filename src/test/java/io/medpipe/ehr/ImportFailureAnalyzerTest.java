package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A refused start-up import is reported as its problems, not as a stack trace. */
class ImportFailureAnalyzerTest {

  @Test
  void describesTheProblemsAndWhatToDo() {
    ImportException e = new ImportException("heart.csv", List.of("heart.csv:201: column 1 (age): not a number"));
    FailureAnalysis analysis = new ImportFailureAnalyzer().analyze(new IllegalStateException("runner failed", e));
    assertThat(analysis.getDescription()).isEqualTo("heart.csv:201: column 1 (age): not a number");
    assertThat(analysis.getAction()).contains("docs/import.md").contains("Nothing of the file was imported");
  }
}
