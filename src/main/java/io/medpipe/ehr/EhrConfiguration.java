package io.medpipe.ehr;

import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;

/** Wires the EHR feature: the extraction spec, the extractor and first-start seeding of a synthetic cohort. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EhrConfiguration.CohortProperties.class)
public class EhrConfiguration {

  /**
   * The synthetic cohort written into an empty EHR on first start.
   *
   * @param enabled         seed when ehr.patient is empty (medpipe.cohort.enabled, default true)
   * @param patients        cohort size (default 20000)
   * @param randomSeed      generator seed; the same seed gives the same cohort (default 42)
   * @param fabryPrevalence share of Fabry patients (default 0.01)
   */
  @ConfigurationProperties(prefix = "medpipe.cohort")
  public record CohortProperties(@DefaultValue("true") boolean enabled, @DefaultValue("20000") int patients,
                                 @DefaultValue("42") long randomSeed, @DefaultValue("0.01") double fabryPrevalence) {

    public CohortProperties {
      if (patients < 1) {
        throw new IllegalArgumentException("medpipe.cohort.patients must be at least 1, was " + patients);
      }
      if (!(fabryPrevalence >= 0 && fabryPrevalence <= 0.5)) {
        throw new IllegalArgumentException("medpipe.cohort.fabry-prevalence must be within [0, 0.5], was "
            + fabryPrevalence);
      }
    }

    public CohortOptions toOptions() {
      return CohortOptions.of(patients, randomSeed).withFabryPrevalence(fabryPrevalence);
    }
  }

  @Bean
  FeatureSpec featureSpec(@Value("${medpipe.extraction.spec:classpath:ehr/feature-spec.json}") Resource spec) {
    return FeatureSpec.load(spec);
  }

  @Bean
  EhrExtractor ehrExtractor(DataSource dataSource) {
    return new EhrExtractor(dataSource);
  }

  /**
   * The extract-data step. {@code medpipe.notes.concepts} is the symptom concept dictionary applied to notes
   * (default the shipped ehr/symptom-concepts.json); {@code medpipe.notes.enabled=false} turns note symptoms off.
   */
  @Bean
  ExtractionService extractionService(DataSource dataSource, EhrExtractor extractor,
                                      @Value("${medpipe.notes.enabled:true}") boolean notes,
                                      @Value("${medpipe.notes.concepts:classpath:ehr/symptom-concepts.json}") Resource concepts) {
    return new ExtractionService(dataSource, extractor, new DocumentIngestor(TextDocumentHandlers.all()),
        notes ? NoteConcepts.load(concepts) : null);
  }

  @Bean
  EhrImporter ehrImporter(DataSource dataSource) {
    return new EhrImporter(dataSource);
  }

  /**
   * Imports an export on start-up when {@code medpipe.import.file} (a .csv or .arff) and
   * {@code medpipe.import.mapping} (its column mapping) are set; a file already imported is skipped, so a restart
   * with the same settings does not duplicate patients. A refused file stops the start with the import's message.
   */
  @Bean
  @ConditionalOnProperty(prefix = "medpipe.import", name = "file")
  ApplicationRunner importRunner(EhrImporter importer, @Value("${medpipe.import.file}") String file,
                                 @Value("${medpipe.import.mapping}") String mapping, DataSource dataSource) {
    return args -> {
      java.nio.file.Path data = java.nio.file.Path.of(file);
      for (java.nio.file.Path p : new java.nio.file.Path[] {data, java.nio.file.Path.of(mapping)}) {
        if (!java.nio.file.Files.isRegularFile(p)) {
          throw new ImportException(p.getFileName().toString(), java.util.List.of(p + ": no such file"));
        }
      }
      byte[] bytes = java.nio.file.Files.readAllBytes(data);
      Integer seen = new org.springframework.jdbc.core.JdbcTemplate(dataSource).queryForObject(
          "SELECT count(*) FROM ehr.import_batch WHERE file_sha256 = ?", Integer.class, EhrImporter.sha256(bytes));
      if (seen != null && seen > 0) {
        org.slf4j.LoggerFactory.getLogger(EhrConfiguration.class).info("{} was imported before; not imported again",
            data.getFileName());
        return;
      }
      importer.importFile(data, java.nio.file.Path.of(mapping));
    };
  }

  @Bean
  @ConditionalOnProperty(prefix = "medpipe.cohort", name = "enabled", havingValue = "true", matchIfMissing = true)
  ApplicationRunner cohortSeedRunner(DataSource dataSource, CohortProperties properties) {
    return args -> new CohortSeeder().seedIfEmpty(dataSource, properties.toOptions());
  }
}
