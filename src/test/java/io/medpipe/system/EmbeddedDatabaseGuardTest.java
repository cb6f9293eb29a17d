package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.mock.env.MockEnvironment;

/** A jar built without the embedded PostgreSQL binaries needs an external database and says so in one line. */
class EmbeddedDatabaseGuardTest {

  /** The class path of the production jar, as far as this check is concerned: no zonky binaries. */
  static final ClassLoader WITHOUT_BINARIES = new URLClassLoader(new URL[0], null);

  @Test
  void aBuildWithoutBinariesRefusesTheEmbeddedDatabaseInOneLine() {
    assertThatThrownBy(() -> new EmbeddedDatabaseGuard(WITHOUT_BINARIES)
        .postProcessEnvironment(new MockEnvironment(), new SpringApplication()))
        .isInstanceOf(EmbeddedDatabaseGuard.NoEmbeddedDatabaseException.class)
        .hasMessageContaining("MEDPIPE_DB_URL")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aBuildWithoutBinariesStartsOnAnExternalDatabase() {
    MockEnvironment env = new MockEnvironment().withProperty("spring.datasource.url", "jdbc:postgresql://db/medpipe");

    assertThatCode(() -> new EmbeddedDatabaseGuard(WITHOUT_BINARIES).postProcessEnvironment(env,
        new SpringApplication())).doesNotThrowAnyException();
  }

  @Test
  void theDefaultBuildHasTheBinariesAndKeepsTheZeroInstallDefault() {
    assertThat(EmbeddedDatabaseGuard.class.getClassLoader().getResource(EmbeddedDatabaseGuard.BINARIES)).isNotNull();
    assertThatCode(() -> new EmbeddedDatabaseGuard().postProcessEnvironment(new MockEnvironment(),
        new SpringApplication())).doesNotThrowAnyException();
  }

  @Test
  void theFailureReportIsTheGuardsSentenceAndWhatToDo() {
    EmbeddedDatabaseGuard.NoEmbeddedDatabaseException e = new EmbeddedDatabaseGuard.NoEmbeddedDatabaseException();
    FailureAnalysis analysis = new EmbeddedDatabaseGuard.Analyzer().analyze(new IllegalStateException(e));

    assertThat(analysis.getDescription()).isEqualTo(e.getMessage());
    assertThat(analysis.getAction()).contains("-Pproduction");
  }
}
