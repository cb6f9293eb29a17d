package io.medpipe.serving.security;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's log file, where Logback writes it: the file the PHI leak scan reads. (A test's data directory is
 * set after logging starts, so the file is found through Logback's own file appender, not the test's properties.)
 */
final class LogFiles {

  private LogFiles() {}

  static Path path() {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (var it = logging.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders(); it.hasNext();) {
      if (it.next() instanceof FileAppender<?> file) {
        return Path.of(file.getFile()).toAbsolutePath();
      }
    }
    return null;
  }

  /** The whole log file as text ("" if the application logs to no file). */
  static String read() throws IOException {
    Path log = path();
    return log == null || !Files.exists(log) ? "" : new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
  }
}
