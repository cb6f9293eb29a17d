package io.medpipe.pipeline;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.signoff.SignOffPlugin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.camunda.spin.plugin.impl.SpinProcessEnginePlugin;

/**
 * A process engine for path tests on a real PostgreSQL (a fresh, migrated database of the shared test server), with
 * the plugins the application registers and everything in processes/ deployed as the application deploys it (form
 * keys resolve). The sign-off rules write to medpipe's tables in the same database.
 *
 * @param dataSource the database of the engine and of medpipe's tables
 */
public record ProcessTestEngine(ProcessEngine engine, DataSource dataSource) implements AutoCloseable {

  private static final AtomicInteger ENGINES = new AtomicInteger();

  public static ProcessTestEngine start() {
    HikariConfig pool = new HikariConfig();
    pool.setDataSource(TestDatabase.freshDatabase());
    pool.setMaximumPoolSize(4);
    HikariDataSource dataSource = new HikariDataSource(pool);
    StandaloneProcessEngineConfiguration configuration = new StandaloneProcessEngineConfiguration();
    // a name of its own: Camunda keeps engines in a JVM-wide registry by name
    configuration.setProcessEngineName("medpipe-process-test-" + ENGINES.incrementAndGet());
    configuration.setDataSource(dataSource);
    configuration.setDatabaseSchemaUpdate("true");
    configuration.setHistory("full");
    configuration.setJobExecutorActivate(false);
    configuration.setDefaultSerializationFormat("application/json");
    // as application.yml: group and user ids with hyphens (medical-reviewers)
    configuration.setGroupResourceWhitelistPattern("[a-zA-Z0-9-]+|camunda-admin");
    configuration.setUserResourceWhitelistPattern("[a-zA-Z0-9-]+");
    configuration.setProcessEnginePlugins(List.of(new SpinProcessEnginePlugin(), new ListenerRefusalPlugin(),
        new SignOffPlugin()));
    // stand in for the application's pipelineSchedule and monitorSchedule beans, which the timers evaluate
    configuration.setBeans(Map.<Object, Object>of("pipelineSchedule", Map.of("cycle", "R/P7D"),
        "monitorSchedule", Map.of("cycle", "R/PT1H")));
    ProcessEngine engine = configuration.buildProcessEngine();
    new ProcessDeployer(engine.getRepositoryService()).deploy();
    return new ProcessTestEngine(engine, dataSource);
  }

  @Override
  public void close() {
    engine.close();
    ((HikariDataSource) dataSource).close();
  }
}
