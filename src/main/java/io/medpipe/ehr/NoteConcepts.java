package io.medpipe.ehr;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.io.Resource;

/**
 * Clinical notes to coded symptoms: a configurable dictionary of symptom concepts (HPO code and synonyms, see
 * ehr/symptom-concepts.json) matched in each sentence, with NegEx-style negation. A concept counts only when no
 * negation cue ("no", "denies", "negative for", "without" ...) precedes it in the same clause, and no post-negation
 * cue ("ruled out", "absent") follows it. A clause ends at a sentence end or a terminator ("but", "however" ...),
 * so "Denies fever but reports fatigue" negates fever and keeps fatigue.
 */
public final class NoteConcepts {

  /** The dictionary file. */
  public record Dictionary(String name, Integer version, List<String> preNegation, List<String> postNegation,
                           List<String> terminators, List<Concept> concepts) {}

  /** One concept: its code and the phrases that mean it. */
  public record Concept(String code, String name, List<String> synonyms) {}

  private static final ObjectMapper READER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private static final Pattern SENTENCE = Pattern.compile("[.;:!?\\n]+");

  private final Dictionary dictionary;
  private final List<Pattern> concepts = new ArrayList<>();
  private final Pattern pre;
  private final Pattern post;
  private final Pattern terminator;

  public NoteConcepts(Dictionary dictionary) {
    if (dictionary.concepts() == null || dictionary.concepts().isEmpty()) {
      throw new IllegalArgumentException("the symptom concept dictionary lists no concepts");
    }
    this.dictionary = dictionary;
    for (Concept c : dictionary.concepts()) {
      if (c.code() == null || c.synonyms() == null || c.synonyms().isEmpty()) {
        throw new IllegalArgumentException("concept " + c.name() + " needs a code and at least one synonym");
      }
      concepts.add(alternatives(c.synonyms()));
    }
    this.pre = alternatives(dictionary.preNegation());
    this.post = alternatives(dictionary.postNegation());
    this.terminator = alternatives(dictionary.terminators());
  }

  public static NoteConcepts load(Resource resource) {
    try (InputStream in = resource.getInputStream()) {
      return new NoteConcepts(READER.readValue(in, Dictionary.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the symptom concept dictionary " + resource.getDescription(), e);
    }
  }

  public Dictionary dictionary() {
    return dictionary;
  }

  /** Whole-word, case-insensitive alternatives, longest first. */
  private static Pattern alternatives(List<String> phrases) {
    if (phrases == null || phrases.isEmpty()) {
      return Pattern.compile("(?!)");
    }
    List<String> sorted = new ArrayList<>(phrases);
    sorted.sort((a, b) -> Integer.compare(b.length(), a.length()));
    StringBuilder re = new StringBuilder("\\b(?:");
    for (int i = 0; i < sorted.size(); i++) {
      if (i > 0) {
        re.append('|');
      }
      re.append(Pattern.quote(sorted.get(i).toLowerCase(Locale.ROOT)).replace(" ", "\\E\\s+\\Q"));
    }
    return Pattern.compile(re.append(")\\b").toString(), Pattern.CASE_INSENSITIVE);
  }

  /** The codes of the concepts the text affirms (mentioned and not negated), in dictionary order. */
  public Set<String> affirmed(String text) {
    Set<String> out = new LinkedHashSet<>();
    if (text == null) {
      return out;
    }
    for (String sentence : SENTENCE.split(text)) {
      for (String clause : splitAtTerminators(sentence)) {
        for (int i = 0; i < concepts.size(); i++) {
          Matcher m = concepts.get(i).matcher(clause);
          while (m.find()) {
            boolean negated = pre.matcher(clause.substring(0, m.start())).find()
                || post.matcher(clause.substring(m.end())).find();
            if (!negated) {
              out.add(dictionary.concepts().get(i).code());
              break;
            }
          }
        }
      }
    }
    return out;
  }

  private List<String> splitAtTerminators(String sentence) {
    List<String> clauses = new ArrayList<>();
    Matcher m = terminator.matcher(sentence);
    int start = 0;
    while (m.find()) {
      clauses.add(sentence.substring(start, m.start()));
      start = m.end();
    }
    clauses.add(sentence.substring(start));
    return clauses;
  }

  /**
   * Replaces the note-derived symptoms (source 'note') by those the current notes affirm, on the connection's
   * transaction; returns how many were written.
   */
  public int derive(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("DELETE FROM ehr.symptom WHERE source = 'note'");
    }
    int written = 0;
    try (PreparedStatement select = c.prepareStatement(
        "SELECT id, patient_id, encounter_id, written_at, body FROM ehr.note ORDER BY id");
         PreparedStatement insert = c.prepareStatement("INSERT INTO ehr.symptom (patient_id, encounter_id, code,"
             + " observed_at, source, note_id) VALUES (?, ?, ?, ?, 'note', ?)")) {
      select.setFetchSize(5000);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          for (String code : affirmed(rs.getString(5))) {
            insert.setLong(1, rs.getLong(2));
            insert.setObject(2, rs.getObject(3));
            insert.setString(3, code);
            insert.setObject(4, rs.getObject(4, java.time.LocalDate.class));
            insert.setLong(5, rs.getLong(1));
            insert.addBatch();
            if (++written % 5000 == 0) {
              insert.executeBatch();
            }
          }
        }
      }
      insert.executeBatch();
    }
    return written;
  }
}
