package io.medpipe.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Makes medpipe's files readable by their owner only, before anything writes to them: the data directory (database,
 * artifacts, generated secrets), the log directory and the application log.
 *
 * <p>Why here: an environment post-processor runs before Spring Boot opens the log file, so the file is created
 * owner-only rather than with the process umask (typically world-readable) and changed later; Logback appends to it
 * and keeps its mode. Rolled-over logs are created by Logback with the umask, which is why the log directory itself
 * is owner-only too: nobody else can open a file in it. Where the file system has no POSIX modes, nothing is done.
 */
public class OwnerOnlyFiles implements EnvironmentPostProcessor {

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    try {
      Path dataDir = Path.of(env.getProperty("medpipe.data-dir", "./data"));
      Files.createDirectories(dataDir);
      restrict(dataDir, true);
      String logFile = env.getProperty("logging.file.name");
      if (logFile != null && !logFile.isBlank()) {
        Path log = Path.of(logFile).toAbsolutePath();
        Files.createDirectories(log.getParent());
        restrict(log.getParent(), true);
        if (!Files.exists(log)) {
          Files.createFile(log, DemoDefaults.ownerOnlyFile());
        }
        restrict(log, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make medpipe's data and log files owner-only: " + e.getMessage(), e);
    }
  }

  /** Owner-only: rwx------ for a directory, rw------- for a file. Files of another owner are left alone. */
  static void restrict(Path path, boolean directory) throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    if (!Files.getOwner(path).getName().equals(System.getProperty("user.name"))) {
      return;
    }
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
  }
}
