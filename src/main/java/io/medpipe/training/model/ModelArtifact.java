package io.medpipe.training.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;

/**
 * A model's bytes: Java serialisation of its model type, read back through an allow-list of classes.
 *
 * <p>Artifacts written before the training code was split into one type per algorithm name the classes where they
 * were then ({@code io.medpipe.training.TrainingOptions}, the single {@code ClassifierModel}, ...). {@link #read} maps
 * those names onto the classes' current packages (Java serialisation then matches them by simple name, field names
 * and serialVersionUID, all unchanged), and the old {@link ClassifierModel} turns itself into the model type of its
 * algorithm. A model type that wraps a native library (none yet) keeps that library's own bytes as a byte array and
 * rebuilds the native object on first use, so the allow-list never needs the library's classes.
 */
final class ModelArtifact {

  /** Where classes of saved artifacts live now: old name -> current name. */
  static final Map<String, String> MOVED = Map.ofEntries(
      moved("ClassifierModel", "model"), moved("ClassifierModel$Mlp", "model"),
      moved("ClassifierModel$Base", "model"), moved("TrainingOptions", "model"), moved("MlpOptions", "model"),
      moved("CostMatrix", "model"), moved("Algorithm", "model"), moved("ClassWeighting", "model"),
      moved("TransferScheme", "model"), moved("NeuralNet", "model"), moved("MlpEncoder", "model"),
      moved("Resampling", "resampling"), moved("PlattCalibration", "calibration"),
      moved("IsotonicCalibration", "calibration"));

  private static Map.Entry<String, String> moved(String name, String subPackage) {
    return Map.entry("io.medpipe.training." + name, "io.medpipe.training." + subPackage + "." + name);
  }

  /**
   * What {@link #read} accepts: only this project's, Smile's and the JDK's java.* classes, primitives and arrays of
   * them. Java deserialisation runs code of whatever class the stream names, so an allow-list, not a deny-list, is
   * what keeps a tampered artifact from reaching a gadget class on the classpath.
   */
  static final ObjectInputFilter FILTER = info -> {
    if (info.depth() > 10_000 || info.arrayLength() > 100_000_000) {
      return ObjectInputFilter.Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return ObjectInputFilter.Status.UNDECIDED;
    }
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type.isPrimitive()) {
      return ObjectInputFilter.Status.ALLOWED;
    }
    String name = type.getName();
    return name.startsWith("io.medpipe.") || name.startsWith("smile.") || name.startsWith("java.")
        ? ObjectInputFilter.Status.ALLOWED
        : ObjectInputFilter.Status.REJECTED;
  };

  private ModelArtifact() {
  }

  static byte[] write(Classifier model) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(model);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise model", e);
    }
    return bytes.toByteArray();
  }

  static Classifier read(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    try (ObjectInputStream in = new Renaming(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(FILTER);
      Object read = in.readObject();
      if (read instanceof Classifier model) {
        return model;
      }
      throw new IllegalArgumentException("not a model: " + (read == null ? "null" : read.getClass().getName()));
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalArgumentException("cannot read model: " + e.getMessage(), e);
    }
  }

  /** Resolves the classes of older artifacts by their current names ({@link #MOVED}). */
  private static final class Renaming extends ObjectInputStream {

    Renaming(InputStream in) throws IOException {
      super(in);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      String current = MOVED.get(desc.getName());
      return current == null ? super.resolveClass(desc)
          : Class.forName(current, false, ModelArtifact.class.getClassLoader());
    }
  }
}
