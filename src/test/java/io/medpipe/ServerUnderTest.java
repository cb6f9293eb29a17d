package io.medpipe;

import io.medpipe.dataset.EdaService;
import io.medpipe.ehr.ExtractionService;
import io.medpipe.ehr.FeatureSpec;
import io.medpipe.privacy.PseudonymizationService;
import io.medpipe.registry.ModelRegistry;
import io.medpipe.serving.DeploymentService;
import io.medpipe.serving.Slot;
import io.medpipe.training.TrainingService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What the end-to-end tests that talk to medpipe over HTTP set up alike: a server on known ports with its own data
 * directory and API keys, and (for the tests that do not run the pipeline) one model taken through the Develop
 * steps by hand and deployed in both slots.
 */
public final class ServerUnderTest {

  private ServerUnderTest() {}

  /**
   * Registers the ports, a fresh data and artifact directory and the two configured API keys.
   *
   * @return the data directory
   */
  public static Path properties(DynamicPropertyRegistry registry, String name, int port, int managementPort,
                                String adminKey, String serviceKey)
      throws IOException {
    Path dir = Files.createTempDirectory("medpipe-" + name);
    registry.add("server.port", () -> port);
    registry.add("management.server.port", () -> managementPort);
    registry.add("medpipe.data-dir", dir::toString);
    registry.add("medpipe.artifacts.dir", () -> dir.resolve("artifacts").toString());
    registry.add("medpipe.api.admin-key", () -> adminKey);
    registry.add("medpipe.api.service-key", () -> serviceKey);
    return dir;
  }

  /** A version trained on the configured cohort and serving in staging and production, and its data's EDA report. */
  public record Deployed(UUID versionId, UUID edaReportId) {}

  /** Extract, pseudonymise, explore, train, evaluate, register and deploy, as the pipeline's workers do. */
  public static Deployed deployModel(ApplicationContext context, String actor) {
    FeatureSpec spec = context.getBean(FeatureSpec.class);
    var extract = context.getBean(ExtractionService.class).extract(spec, actor);
    var snapshot = context.getBean(PseudonymizationService.class).pseudonymize(extract.extractId(), actor);
    UUID reportId = context.getBean(EdaService.class).analyse(snapshot.id(), actor).reportId();
    TrainingService training = context.getBean(TrainingService.class);
    var run = training.train(snapshot.id(), spec.targetClass(), actor);
    training.evaluate(run.id());
    UUID versionId = context.getBean(ModelRegistry.class).register(run.id(), actor).id();
    DeploymentService deployments = context.getBean(DeploymentService.class);
    deployments.deploy(Slot.STAGING, versionId, actor);
    deployments.deploy(Slot.PRODUCTION, versionId, actor);
    return new Deployed(versionId, reportId);
  }
}
