package io.medpipe.ehr;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extract-data step: documents attached to encounters become notes, notes become coded symptoms (concept
 * dictionary with negation), then the spec is extracted. Documents that cannot be read are skipped and their
 * number is recorded on the extract (and from there in the snapshot's metadata).
 */
public final class ExtractionService {

  private static final Logger LOG = LoggerFactory.getLogger(ExtractionService.class);

  private final DataSource dataSource;
  private final EhrExtractor extractor;
  private final DocumentIngestor documents;
  private final NoteConcepts concepts;

  /** {@code concepts} may be null: notes are then not turned into symptoms. */
  public ExtractionService(DataSource dataSource, EhrExtractor extractor, DocumentIngestor documents,
                           NoteConcepts concepts) {
    this.dataSource = dataSource;
    this.extractor = extractor;
    this.documents = documents;
    this.concepts = concepts;
  }

  public EhrExtractor.ExtractSummary extract(FeatureSpec spec, String processInstanceId) {
    prepareNotes();
    EhrExtractor.ExtractSummary summary = extractor.extract(spec, processInstanceId);
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("""
             UPDATE ehr.extract e SET skipped_documents = (
               SELECT count(*) FROM ehr.document d JOIN ehr.extract_row r ON r.patient_id = d.patient_id
               WHERE r.extract_id = e.id AND d.error IS NOT NULL AND d.received_at <= e.index_date)
             WHERE e.id = ?""")) {
      ps.setObject(1, summary.extractId());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the skipped documents of extract " + summary.extractId(), e);
    }
    return summary;
  }

  /** Reads new documents and re-derives note symptoms, in one transaction. */
  public void prepareNotes() {
    try (Connection c = dataSource.getConnection()) {
      Transactions.inTransaction(c, tx -> {
        DocumentIngestor.Counts docs = documents.ingest(tx);
        int derived = concepts == null ? 0 : concepts.derive(tx);
        LOG.info("notes prepared: {} documents read, {} skipped, {} symptoms found in notes", docs.read(),
            docs.skipped(), derived);
        return null;
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare notes (SQL state " + e.getSQLState() + ")", e);
    }
  }
}
