package io.medpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.artifact.ArtifactProperties;
import io.medpipe.pipeline.PipelineProperties;
import io.medpipe.pipeline.WebhookProperties;
import io.medpipe.privacy.PrivacyProperties;
import io.medpipe.serving.ApiProperties;
import io.medpipe.serving.ServingProperties;
import io.medpipe.serving.ServingProperties.Record.Durability;
import io.medpipe.serving.StagingProperties;
import io.medpipe.system.MedpipeProperties;
import io.medpipe.system.WorkerProperties;
import io.medpipe.training.TrainingProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The settings records as start-up binds them: found by the same scan as the application's, each under its own prefix
 * ({@code medpipe.worker}, {@code medpipe.serving}, ...) with the names, defaults and checks the single
 * {@code medpipe} record had, so application*.yml, the environment variables and the manifests keep working.
 */
class SettingsBindingTest {

  /** Only the settings: the scan {@link MedpipeApplication} runs, without the rest of the application. */
  @Configuration(proxyBeanMethods = false)
  @ConfigurationPropertiesScan(basePackageClasses = MedpipeApplication.class)
  static class Settings {}

  final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void everyRecordHasTodaysDefaultsWhenNothingIsSet() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx.getBean(MedpipeProperties.class).dataDir()).isEqualTo("./data");
      assertThat(ctx.getBean(WorkerProperties.class)).isEqualTo(new WorkerProperties(true, "medpipe-worker", null,
          Duration.ofMinutes(10), 2, Duration.ofSeconds(10), List.of("127.0.0.0/8", "::1")));
      assertThat(ctx.getBean(PrivacyProperties.class)).isEqualTo(new PrivacyProperties(null, null));
      assertThat(ctx.getBean(WebhookProperties.class)).isEqualTo(new WebhookProperties(null, Duration.ofHours(24)));
      assertThat(ctx.getBean(PipelineProperties.class)).isEqualTo(new PipelineProperties(false, "0 0 2 ? * MON"));
      assertThat(ctx.getBean(ServingProperties.class)).isEqualTo(new ServingProperties(true,
          "http://localhost:8080", Duration.ofSeconds(2), 5, 100, 262144, new ServingProperties.Record(
              Durability.COMMIT, 10000, 500, Duration.ofDays(183), "0 30 3 * * *")));
      assertThat(ctx.getBean(ApiProperties.class)).isEqualTo(new ApiProperties(null, null, Duration.ofSeconds(30)));
      assertThat(ctx.getBean(StagingProperties.class)).isEqualTo(new StagingProperties(20, 200, 250));
      assertThat(ctx.getBean(TrainingProperties.class)).isEqualTo(new TrainingProperties(42, 200, 0.25, 49, "vector"));
      assertThat(ctx.getBean(ArtifactProperties.class)).isEqualTo(new ArtifactProperties(null, null, "medpipe"));
    });
  }

  @Test
  void eachRecordBindsItsOwnPrefixFromPropertiesAndTheEnvironment() {
    runner.withPropertyValues("medpipe.data-dir=/srv/medpipe", "medpipe.worker.user=w", "medpipe.worker.retries=0",
        "medpipe.worker.addresses=10.0.0.0/8,192.0.2.7",
        "medpipe.privacy.pseudonym-key=pk", "medpipe.webhook.token=tok", "medpipe.webhook.cool-down=PT2H",
        "medpipe.pipeline.schedule-enabled=true",
        "medpipe.serving.max-batch=7", "medpipe.serving.record.durability=async", "medpipe.api.key-cache-ttl=PT1S",
        "medpipe.staging.burst-requests=50", "medpipe.training.test-fraction=0.3",
        "medpipe.training.calibration=platt", "medpipe.artifacts.gcs-bucket=bucket")
        // environment variables in Spring's relaxed form, as deploy/ and docker-compose.yml may set them
        .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(
            new SystemEnvironmentPropertySource("test-systemEnvironment", Map.of(
                "MEDPIPE_PRIVACY_REFERENCEKEY", "rk", "MEDPIPE_SERVING_RECORD_QUEUECAPACITY", "42"))))
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(MedpipeProperties.class).dataDir()).isEqualTo("/srv/medpipe");
          assertThat(ctx.getBean(WorkerProperties.class).user()).isEqualTo("w");
          assertThat(ctx.getBean(WorkerProperties.class).retries()).isZero();
          assertThat(ctx.getBean(WorkerProperties.class).addresses()).containsExactly("10.0.0.0/8", "192.0.2.7");
          assertThat(ctx.getBean(PrivacyProperties.class)).isEqualTo(new PrivacyProperties("pk", "rk"));
          assertThat(ctx.getBean(WebhookProperties.class).token()).isEqualTo("tok");
          assertThat(ctx.getBean(WebhookProperties.class).coolDown()).isEqualTo(Duration.ofHours(2));
          assertThat(ctx.getBean(PipelineProperties.class).scheduleEnabled()).isTrue();
          ServingProperties serving = ctx.getBean(ServingProperties.class);
          assertThat(serving.maxBatch()).isEqualTo(7);
          assertThat(serving.record().durability()).isEqualTo(Durability.ASYNC);
          assertThat(serving.record().queueCapacity()).isEqualTo(42);
          assertThat(ctx.getBean(ApiProperties.class).keyCacheTtl()).isEqualTo(Duration.ofSeconds(1));
          assertThat(ctx.getBean(StagingProperties.class).burstRequests()).isEqualTo(50);
          assertThat(ctx.getBean(TrainingProperties.class).testFraction()).isEqualTo(0.3);
          assertThat(ctx.getBean(TrainingProperties.class).calibration()).isEqualTo("platt");
          assertThat(ctx.getBean(ArtifactProperties.class).gcsBucket()).isEqualTo("bucket");
        });
  }

  @Test
  void theShippedApplicationYmlBindsAndPassesValidation() {
    runner.withInitializer(new ConfigDataApplicationContextInitializer())
        .withPropertyValues("MEDPIPE_RECORD_DURABILITY=async", "MEDPIPE_CALIBRATION=isotonic")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(ServingProperties.class).record().durability()).isEqualTo(Durability.ASYNC);
          assertThat(ctx.getBean(TrainingProperties.class).calibration()).isEqualTo("isotonic");
          assertThat(ctx.getBean(WorkerProperties.class).user()).isEqualTo("medpipe-worker");
        });
  }

  @Test
  void aValueOutsideItsRangeStopsTheStartNamingTheSetting() {
    runner.withPropertyValues("medpipe.training.test-fraction=0.9").run(ctx -> {
      assertThat(ctx).hasFailed();
      // the rejected value's origin is the property as it was written
      assertThat(messages(ctx.getStartupFailure())).contains("medpipe.training.test-fraction", "0.9",
          "less than or equal to 0.5");
    });
    runner.withPropertyValues("medpipe.staging.burst-requests=5").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(messages(ctx.getStartupFailure())).contains("medpipe.staging.burst-requests",
          "greater than or equal to 10");
    });
  }

  @Test
  void aValueOfTheWrongKindStopsTheStartNamingTheSetting() {
    runner.withPropertyValues("medpipe.serving.record.durability=bogus").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(messages(ctx.getStartupFailure())).contains("medpipe.serving.record.durability", "bogus");
    });
  }

  /** The failure and its causes, as start-up reports them. */
  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
