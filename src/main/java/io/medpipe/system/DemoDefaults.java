package io.medpipe.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Supplies the secrets of the embedded demo mode and refuses to start a real deployment without them.
 *
 * <p>Demo mode is the zero-install default: no external database configured. There, the pseudonymisation key, the
 * patient-reference key, the
 * webhook token, the API's admin and service keys and the embedded PostgreSQL's password are generated once and kept
 * in owner-only files under the data directory (so pseudonyms stay stable across restarts), and the worker's engine
 * password is generated per start. With an external database every secret must come from the environment; a missing
 * one stops the start with a message naming it.
 */
public class DemoDefaults implements EnvironmentPostProcessor {

  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
    boolean engine = env.getProperty("camunda.bpm.enabled", Boolean.class, true);
    boolean demo = isBlank(env.getProperty("spring.datasource.url"));
    Map<String, Object> generated = new HashMap<>();
    List<String> missing = new ArrayList<>();
    String dataDir = env.getProperty("medpipe.data-dir", "./data");

    if (demo) {
      // the embedded server's superuser password (scram): no local process logs in without it
      generated.put("medpipe.db.embedded-password", secretFile(Path.of(dataDir, "postgres.password")));
    }
    require(env, demo, "medpipe.worker.password", "MEDPIPE_WORKER_PASSWORD", missing,
        () -> generated.put("medpipe.worker.password", randomHex(16)));
    require(env, demo, "medpipe.privacy.pseudonym-key", "MEDPIPE_PSEUDONYM_KEY", missing,
        () -> generated.put("medpipe.privacy.pseudonym-key", secretFile(Path.of(dataDir, "pseudonym.key"))));
    boolean serving = env.getProperty("medpipe.serving.enabled", Boolean.class, true);
    // the workers' staging/smoke tests authenticate with this key; the API node accepts it (role predict)
    require(env, demo, "medpipe.api.service-key", "MEDPIPE_API_SERVICE_KEY", missing,
        () -> generated.put("medpipe.api.service-key", secretFile(Path.of(dataDir, "api-service.key"))));
    if (serving) {
      // patient references of the prediction record: one key for every API node, kept apart from the pseudonym key
      require(env, demo, "medpipe.privacy.reference-key", "MEDPIPE_REFERENCE_KEY", missing,
          () -> generated.put("medpipe.privacy.reference-key", secretFile(Path.of(dataDir, "reference.key"))));
      require(env, demo, "medpipe.api.admin-key", "MEDPIPE_API_ADMIN_KEY", missing,
          () -> generated.put("medpipe.api.admin-key", secretFile(Path.of(dataDir, "api-admin.key"))));
    }
    if (engine) {
      require(env, demo, "camunda.bpm.admin-user.password", "MEDPIPE_ADMIN_PASSWORD", missing,
          () -> generated.put("camunda.bpm.admin-user.password", "demo"));
      require(env, demo, "medpipe.webhook.token", "MEDPIPE_WEBHOOK_TOKEN", missing,
          () -> generated.put("medpipe.webhook.token", secretFile(Path.of(dataDir, "webhook.token"))));
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("medpipe needs these settings when it uses an external database: "
          + String.join(", ", missing) + " (see README, Configuration)");
    }
    generated.put("medpipe.demo-mode", demo);
    // first: application.yml declares these keys with blank defaults that must not win over generated values
    env.getPropertySources().addFirst(new MapPropertySource("medpipeDemoDefaults", generated));
  }

  private static void require(ConfigurableEnvironment env, boolean demo, String key, String envVar,
                              List<String> missing, Runnable generate) {
    if (!isBlank(env.getProperty(key))) {
      return;
    }
    if (demo) {
      generate.run();
    } else {
      missing.add(envVar);
    }
  }

  /** Reads a secret from a file, creating it (owner-only) with a random value on first use. */
  static String secretFile(Path file) {
    try {
      if (Files.exists(file)) {
        // a file from an older medpipe may have been created readable by others
        OwnerOnlyFiles.restrict(file, false);
        return Files.readString(file).trim();
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      String secret = randomHex(32);
      try {
        // owner-only from the moment it exists, never readable by others in between
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
      Files.writeString(file, secret + "\n");
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create secret file " + file, e);
    }
  }

  /** The attribute of a file only its owner may read and write; none where the file system has no POSIX modes. */
  static FileAttribute<?>[] ownerOnlyFile() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
