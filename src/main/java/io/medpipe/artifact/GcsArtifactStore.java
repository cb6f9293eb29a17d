package io.medpipe.artifact;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;

/** Artifacts as objects in a Google Cloud Storage bucket ({@code gs://bucket/prefix/key}), created only if absent. */
public class GcsArtifactStore implements ArtifactStore {

  private final Storage storage;
  private final String bucket;
  private final String prefix;

  public GcsArtifactStore(Storage storage, String bucket, String prefix) {
    this.storage = storage;
    this.bucket = bucket;
    this.prefix = prefix == null || prefix.isBlank() ? "" : prefix.replaceAll("/+$", "") + "/";
  }

  @Override
  public String put(String key, byte[] content) {
    BlobId id = BlobId.of(bucket, prefix + key);
    BlobInfo info = BlobInfo.newBuilder(id).setContentType("application/octet-stream")
        .setMetadata(java.util.Map.of("sha256", ArtifactStore.sha256(content))).build();
    try {
      storage.create(info, content, Storage.BlobTargetOption.doesNotExist());
    } catch (StorageException e) {
      if (e.getCode() == 412) {
        throw new AlreadyExistsException(id.toGsUtilUri(), id.toGsUtilUri(), e);
      }
      throw e;
    }
    return id.toGsUtilUri();
  }

  @Override
  public byte[] read(String uri) {
    BlobId id = BlobId.fromGsUtilUri(uri);
    if (!id.getBucket().equals(bucket)) {
      throw new IllegalArgumentException("artifact " + uri + " is not in bucket " + bucket);
    }
    Blob blob = storage.get(id);
    if (blob == null) {
      throw new IllegalStateException("artifact " + uri + " does not exist");
    }
    return blob.getContent();
  }
}
