package io.medpipe.ehr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;

/** The shipped document handlers: PDF text (Apache PDFBox) and plain UTF-8 text, both written as notes. */
public final class TextDocumentHandlers {

  private TextDocumentHandlers() {
  }

  public static List<DocumentHandler> all() {
    return List.of(new Pdf(), new PlainText());
  }

  /** application/pdf: the text layer of every page. A scanned PDF without text yields an empty note (skipped). */
  public static final class Pdf implements DocumentHandler {
    @Override
    public boolean supports(String mediaType) {
      return "application/pdf".equalsIgnoreCase(mediaType);
    }

    @Override
    public void handle(byte[] content, Sink sink) throws UnreadableDocumentException {
      try (PDDocument pdf = Loader.loadPDF(content)) {
        String text = new PDFTextStripper().getText(pdf).strip();
        if (text.isEmpty()) {
          throw new UnreadableDocumentException("the PDF has no text layer", null);
        }
        sink.note(text);
      } catch (IOException | RuntimeException e) {
        throw new UnreadableDocumentException("not a readable PDF", e);
      }
    }
  }

  /** text/plain: UTF-8 text as written. */
  public static final class PlainText implements DocumentHandler {
    @Override
    public boolean supports(String mediaType) {
      return mediaType != null && mediaType.toLowerCase(java.util.Locale.ROOT).startsWith("text/plain");
    }

    @Override
    public void handle(byte[] content, Sink sink) throws UnreadableDocumentException {
      try {
        String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString().strip();
        if (text.isEmpty()) {
          throw new UnreadableDocumentException("the text document is empty", null);
        }
        sink.note(text);
      } catch (CharacterCodingException e) {
        throw new UnreadableDocumentException("not UTF-8 text", e);
      }
    }
  }
}
