package io.medpipe.training;

import io.medpipe.dataset.FeatureTable;
import io.medpipe.dataset.TabularFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a CSV test resource into a {@link FeatureTable} with {@link CsvDataset}, the type inference of
 * {@code medpipe evaluate}: an empty field is missing (NaN); a column whose non-empty values all parse as numbers is
 * NUMERIC, any other CATEGORICAL with its sorted distinct values as levels; class labels sorted.
 */
final class CsvFixtures {

  private CsvFixtures() {
  }

  static FeatureTable read(String resource, String labelColumn) {
    try (InputStream in = CsvFixtures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return CsvDataset.of(TabularFile.parse(resource, text, "csv"), labelColumn).table();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
