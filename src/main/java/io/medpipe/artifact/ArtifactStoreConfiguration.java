package io.medpipe.artifact;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.medpipe.system.MedpipeProperties;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses the artifact store: GCS when {@code medpipe.artifacts.gcs-bucket} is set, else a local directory. The GCS
 * client is a {@link Storage} bean when there is one (a test's in-memory fake), else the default client, which
 * finds its credentials itself (on GKE: the pod's service account through Workload Identity, no key file).
 */
@Configuration(proxyBeanMethods = false)
class ArtifactStoreConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ArtifactStoreConfiguration.class);

  @Bean
  ArtifactStore artifactStore(MedpipeProperties properties, ArtifactProperties artifacts,
                              ObjectProvider<Storage> storage) {
    if (artifacts.gcsBucket() != null && !artifacts.gcsBucket().isBlank()) {
      log.info("Model artifacts in gs://{}/{}", artifacts.gcsBucket(), artifacts.gcsPrefix());
      return new GcsArtifactStore(storage.getIfAvailable(() -> StorageOptions.getDefaultInstance().getService()),
          artifacts.gcsBucket(), artifacts.gcsPrefix());
    }
    Path dir = artifacts.dir() == null || artifacts.dir().isBlank()
        ? Path.of(properties.dataDir(), "artifacts") : Path.of(artifacts.dir());
    log.info("Model artifacts in {}", dir.toAbsolutePath());
    return new FileSystemArtifactStore(dir);
  }
}
