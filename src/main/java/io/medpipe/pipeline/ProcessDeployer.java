package io.medpipe.pipeline;

import io.medpipe.system.EngineRole;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Deploys everything in {@code processes/} (BPMN, DMN, forms) as one deployment whose resource names are the
 * paths relative to that folder, so that a form key like {@code embedded:deployment:forms/x.html} resolves and
 * the forms are versioned with the processes. Unchanged files are not redeployed (duplicate filtering).
 */
@EngineRole
@Component
@Order(ProcessDeployer.ORDER)
public class ProcessDeployer implements ApplicationRunner {

  /** Start-up steps run in this order: deploy, then what needs the definitions, then users and data. */
  public static final int ORDER = 0;

  private static final Logger log = LoggerFactory.getLogger(ProcessDeployer.class);
  static final String DEPLOYMENT_NAME = "medpipe-processes";
  private static final String ROOT = "processes/";

  private final RepositoryService repository;

  ProcessDeployer(RepositoryService repository) {
    this.repository = repository;
  }

  @Override
  public void run(ApplicationArguments args) {
    deploy();
  }

  public void deploy() {
    DeploymentBuilder builder = repository.createDeployment()
        .name(DEPLOYMENT_NAME)
        .source("medpipe")
        .enableDuplicateFiltering(true);
    int files = 0;
    try {
      for (Resource resource : new PathMatchingResourcePatternResolver().getResources("classpath*:" + ROOT + "**/*")) {
        String url = resource.getURL().toString();
        int at = url.lastIndexOf(ROOT);
        if (!resource.isReadable() || at < 0 || url.endsWith("/")) {
          continue;
        }
        String name = url.substring(at + ROOT.length());
        try (InputStream in = resource.getInputStream()) {
          builder.addInputStream(name, new ByteArrayInputStream(in.readAllBytes()));
        }
        files++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read processes/ from the classpath", e);
    }
    DeploymentWithDefinitions deployment = builder.deployWithResult();
    log.info("Deployed {} files from processes/ ({} process definitions new in this deployment)", files,
        deployment.getDeployedProcessDefinitions() == null ? 0 : deployment.getDeployedProcessDefinitions().size());
  }
}
