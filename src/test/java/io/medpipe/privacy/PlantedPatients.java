package io.medpipe.privacy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Identifiable patients planted in an EHR: distinctive names, MRNs, phones and e-mails that are also written into
 * their notes and into PDF letters, so a test can prove none of them reaches anything outside the EHR.
 */
public final class PlantedPatients {

  public static final List<PatientIdentifiers> PATIENTS = List.of(
      new PatientIdentifiers("MRN-ZQ-990071", "987-65-4321", "Zoltana", "Quillfeather", LocalDate.of(1958, 4, 9),
          "742 Evergreen Terrace, Springfield", "03601", "+1 555-867-5309", "zoltana.quillfeather@example.org"),
      new PatientIdentifiers("MRN-BX-440982", "912-44-1200", "Bartholomew", "Vandersnoot", LocalDate.of(1931, 12, 24),
          "19 Wisteria Lane, Fairview", "89301", "+1 555-301-7788", "b.vandersnoot@example.net"),
      new PatientIdentifiers("MRN-OP-112358", "905-11-2358", "Ottoline", "Pemberwick", LocalDate.of(1990, 2, 2),
          "4 Privet Drive, Little Whinging", "10115", "+1 555-222-0199", "ottoline.p@example.com"));

  private PlantedPatients() {
  }

  /** Inserts the patients with a note, a PDF letter and (for the second) a corrupt PDF; returns their ids. */
  public static void plant(JdbcTemplate jdbc) {
    int k = 0;
    for (PatientIdentifiers p : PATIENTS) {
      Long id = jdbc.queryForObject("INSERT INTO ehr.patient (mrn, national_id, given_name, family_name, birth_date,"
          + " sex, address, zip, phone, email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", Long.class,
          p.mrn(), p.nationalId(), p.givenName(), p.familyName(), p.birthDate(), k == 1 ? "M" : "F", p.address(),
          p.zip(), p.phone(), p.email());
      Long enc = jdbc.queryForObject("INSERT INTO ehr.encounter (patient_id, encounter_date, kind)"
          + " VALUES (?, DATE '2024-10-01', 'outpatient') RETURNING id", Long.class, id);
      String identifying = p.givenName() + " " + p.familyName() + " (" + p.mrn() + ", DOB " + p.birthDate()
          + ", SSN " + p.nationalId() + ") of " + p.address() + ", phone " + p.phone() + ", e-mail " + p.email()
          + ". Seen on 2024-10-01.";
      String clinical = switch (k) {
        case 0 -> " Reports tinnitus and palpitations. Denies fever.";
        case 1 -> " Denies tinnitus. No palpitations. Reports fatigue.";
        default -> " Negative for tinnitus. Without palpitations.";
      };
      jdbc.update(
          "INSERT INTO ehr.note (patient_id, encounter_id, written_at, body) VALUES (?, ?, DATE '2024-10-01', ?)",
          id, enc, identifying + " Ms " + p.familyName() + " called from " + p.phone().replace("+1 ", "(")
              .replaceFirst("-", ") ") + "." + clinical);
      jdbc.update("INSERT INTO ehr.document (patient_id, encounter_id, media_type, file_name, content, received_at)"
          + " VALUES (?, ?, 'application/pdf', 'letter.pdf', ?, DATE '2024-10-02')", id, enc,
          pdf("Referral letter for " + p.familyName().toUpperCase() + ", " + p.givenName(),
              "MRN " + p.mrn() + "  Tel " + p.phone() + "  " + p.email(),
              k == 2 ? "Reports angiokeratoma over the lower trunk." : "Denies angiokeratoma."));
      if (k == 1) {
        jdbc.update("INSERT INTO ehr.document (patient_id, encounter_id, media_type, file_name, content, received_at)"
            + " VALUES (?, ?, 'application/pdf', 'scan.pdf', ?, DATE '2024-10-03')", id, enc,
            "%PDF-1.7 this is not really a PDF".getBytes());
        jdbc.update("INSERT INTO ehr.document (patient_id, encounter_id, media_type, file_name, content, received_at)"
            + " VALUES (?, ?, 'text/plain', 'msg.txt', ?, DATE '2024-10-03')", id, enc,
            ("Message from " + p.givenName() + " " + p.familyName() + ": reports ankle swelling.").getBytes());
      }
      k++;
    }
  }

  /** A one-page PDF with the lines as its text layer. */
  public static byte[] pdf(String... lines) {
    try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDPage page = new PDPage();
      doc.addPage(page);
      try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
        cs.beginText();
        cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
        cs.setLeading(14);
        cs.newLineAtOffset(50, 700);
        for (String line : lines) {
          cs.showText(line);
          cs.newLine();
        }
        cs.endText();
      }
      doc.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
