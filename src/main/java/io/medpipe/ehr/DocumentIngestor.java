package io.medpipe.ehr;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the documents not yet processed (ehr.document) with the first {@link DocumentHandler} that supports their
 * media type. A document that cannot be read is marked with the reason and skipped: it is reported by document id
 * (never by content or patient) and counted, and the run goes on.
 */
public final class DocumentIngestor {

  private static final Logger LOG = LoggerFactory.getLogger(DocumentIngestor.class);

  private final List<DocumentHandler> handlers;

  public DocumentIngestor(List<DocumentHandler> handlers) {
    this.handlers = List.copyOf(handlers);
  }

  /** Documents read and documents skipped in one pass. */
  public record Counts(int read, int skipped) {}

  /** Processes every unprocessed document on the connection's current transaction. */
  public Counts ingest(Connection c) throws SQLException {
    int read = 0;
    int skipped = 0;
    try (PreparedStatement select = c.prepareStatement("SELECT id, patient_id, encounter_id, media_type, content,"
        + " received_at FROM ehr.document WHERE processed_at IS NULL ORDER BY id");
         PreparedStatement note = c.prepareStatement("INSERT INTO ehr.note (patient_id, encounter_id, written_at, body,"
             + " document_id) VALUES (?, ?, ?, ?, ?)");
         PreparedStatement obs = c.prepareStatement("INSERT INTO ehr.observation (patient_id, encounter_id, code,"
             + " value, unit, observed_at) VALUES (?, ?, ?, ?, ?, ?)");
         PreparedStatement done = c.prepareStatement("UPDATE ehr.document SET processed_at = now(), error = ?"
             + " WHERE id = ?")) {
      select.setFetchSize(100);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          long patient = rs.getLong(2);
          Long encounter = rs.getObject(3) == null ? null : rs.getLong(3);
          String mediaType = rs.getString(4);
          byte[] content = rs.getBytes(5);
          LocalDate received = rs.getObject(6, LocalDate.class);
          String error = null;
          DocumentHandler handler = handlers.stream().filter(h -> h.supports(mediaType)).findFirst().orElse(null);
          if (handler == null) {
            error = "no handler for media type " + mediaType;
          } else {
            try {
              handler.handle(content, new DocumentHandler.Sink() {
                @Override
                public void note(String text) {
                  try {
                    note.setLong(1, patient);
                    note.setObject(2, encounter);
                    note.setObject(3, received);
                    note.setString(4, text);
                    note.setLong(5, id);
                    note.executeUpdate();
                  } catch (SQLException e) {
                    throw new IllegalStateException("cannot store the text of document " + id, e);
                  }
                }

                @Override
                public void observation(String code, double value, String unit) {
                  try {
                    obs.setLong(1, patient);
                    obs.setObject(2, encounter);
                    obs.setString(3, code);
                    obs.setDouble(4, value);
                    obs.setString(5, unit);
                    obs.setObject(6, received);
                    obs.executeUpdate();
                  } catch (SQLException e) {
                    throw new IllegalStateException("cannot store an observation of document " + id, e);
                  }
                }
              });
            } catch (DocumentHandler.UnreadableDocumentException e) {
              error = e.getMessage();
            }
          }
          if (error != null) {
            skipped++;
            LOG.warn("document {} skipped: {}", id, error);
          } else {
            read++;
          }
          done.setString(1, error);
          done.setLong(2, id);
          done.executeUpdate();
        }
      }
    }
    if (read + skipped > 0) {
      LOG.info("documents: {} read, {} skipped", read, skipped);
    }
    return new Counts(read, skipped);
  }
}
