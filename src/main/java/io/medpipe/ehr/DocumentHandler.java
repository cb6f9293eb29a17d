package io.medpipe.ehr;

/**
 * Turns one kind of document attached to an encounter into EHR facts. Text documents (PDF, plain text) become a
 * note; an image featuriser (X-ray, MRI) added later would be another implementation writing observations
 * through the same {@link Sink}, so ingestion, error handling and skip counting stay as they are.
 */
public interface DocumentHandler {

  /** Whether this handler reads documents of the media type, e.g. application/pdf. */
  boolean supports(String mediaType);

  /**
   * Reads the document and writes what it found into the sink.
   *
   * @throws UnreadableDocumentException when the content cannot be parsed; the document is skipped and counted
   */
  void handle(byte[] content, Sink sink) throws UnreadableDocumentException;

  /** Where a handler puts what it found for the document's patient and encounter. */
  interface Sink {
    void note(String text);

    void observation(String code, double value, String unit);
  }

  /** A document that cannot be parsed: reported by document id and skipped, never fatal. */
  class UnreadableDocumentException extends Exception {
    public UnreadableDocumentException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
