package io.medpipe;

import io.medpipe.cli.MedpipeCli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * medpipe: the MLOps pipeline for rare-disease diagnostic models. By default one process runs the Camunda
 * engine, Cockpit and Tasklist, the external-task workers and the prediction API; with the {@code worker}
 * profile the same jar runs only the workers against a remote engine; with a command as first argument
 * ({@code pipeline}, {@code tasks}) it is the command line.
 */
// no Spring Security users: API keys (io.medpipe.serving.security) and Camunda's identity service authenticate
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@EnableScheduling
@ConfigurationPropertiesScan
public class MedpipeApplication {

  public static void main(String[] args) {
    if (MedpipeCli.isCommand(args)) {
      MedpipeCli.main(args);
      return;
    }
    SpringApplication.run(MedpipeApplication.class, args);
  }
}
