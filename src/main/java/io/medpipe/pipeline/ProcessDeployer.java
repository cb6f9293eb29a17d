package io.medpipe.pipeline;

import io.medpipe.system.EngineRole;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.camunda.bpm.spring.boot.starter.event.PostDeployEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
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
public class ProcessDeployer {

  private static final Logger log = LoggerFactory.getLogger(ProcessDeployer.class);
  static final String DEPLOYMENT_NAME = "medpipe-processes";
  private static final String ROOT = "processes/";

  private final RepositoryService repository;
  private final ApplicationEventPublisher events;

  ProcessDeployer(RepositoryService repository, ApplicationEventPublisher events) {
    this.repository = repository;
    this.events = events;
  }

  @Order(0)
  @EventListener(PostDeployEvent.class)
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
    events.publishEvent(new ProcessesDeployedEvent());
  }

  /** Published once the process files are deployed; start-up steps that need the definitions listen for it. */
  public record ProcessesDeployedEvent() {}
}
