package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutputCaptureExtension.class)
class EhrConfigurationTest {

  ApplicationContextRunner runner(DataSource db) {
    return new ApplicationContextRunner()
        .withBean(DataSource.class, () -> db)
        .withUserConfiguration(EhrConfiguration.class);
  }

  @Test
  void seedsAnEmptyEhrOnceAndLogsNoIdentifier(CapturedOutput output) throws SQLException {
    DataSource db = TestDatabase.freshDatabase();
    runner(db).withPropertyValues("medpipe.cohort.patients=500", "medpipe.cohort.random-seed=3",
        "medpipe.cohort.fabry-prevalence=0.02").run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(EhrConfiguration.CohortProperties.class).enabled()).isTrue();
          assertThat(ctx.getBean(FeatureSpec.class).name()).isEqualTo("fabry-cohort");
          assertThat(ctx).hasSingleBean(EhrExtractor.class);
          ctx.getBean(ApplicationRunner.class).run(new DefaultApplicationArguments());
          ctx.getBean(ApplicationRunner.class).run(new DefaultApplicationArguments());
        });
    assertThat(SyntheticCohortTest.count(db, "SELECT count(*) FROM ehr.patient")).isEqualTo(500);
    assertThat(SyntheticCohortTest.count(db, "SELECT count(*) FROM ehr.diagnosis WHERE orpha_code = '324'"))
        .isEqualTo(10);
    assertThat(output).contains("seeded synthetic cohort", "500 patients", "already has rows");
    assertThat(output).doesNotContain("MRN-").doesNotContainPattern("[0-9]{3}-[0-9]{2}-[0-9]{4}")
        .doesNotContain("@example.");
  }

  @Test
  void doesNotSeedWhenDisabled() throws SQLException {
    DataSource db = TestDatabase.freshDatabase();
    runner(db).withPropertyValues("medpipe.cohort.enabled=false").run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean(ApplicationRunner.class);
    });
    assertThat(SyntheticCohortTest.count(db, "SELECT count(*) FROM ehr.patient")).isZero();
  }

  @Test
  void seederLeavesAFilledEhrAlone() throws SQLException {
    DataSource db = TestDatabase.freshDatabase();
    CohortSeeder seeder = new CohortSeeder();
    assertThat(seeder.seedIfEmpty(db, CohortOptions.of(50, 1))).isTrue();
    assertThat(seeder.seedIfEmpty(db, CohortOptions.of(70, 2))).isFalse();
    assertThat(SyntheticCohortTest.count(db, "SELECT count(*) FROM ehr.patient")).isEqualTo(50);
  }

  @Test
  void aBrokenSpecLocationFailsStartup() {
    runner(TestDatabase.freshDatabase()).withPropertyValues("medpipe.cohort.enabled=false",
        "medpipe.extraction.spec=classpath:ehr/missing.json").run(ctx -> assertThat(ctx).hasFailed());
  }
}
