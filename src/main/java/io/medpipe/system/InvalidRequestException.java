package io.medpipe.system;

import java.util.List;

/**
 * A request that medpipe refuses because of what it contains; becomes HTTP 400 problem+json listing every field
 * at fault.
 */
public class InvalidRequestException extends RuntimeException {

  /** One offending field: its JSON path and what is wrong with it. */
  public record FieldProblem(String field, String message) {}

  private final List<FieldProblem> problems;

  public InvalidRequestException(List<FieldProblem> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  public InvalidRequestException(String field, String message) {
    this(List.of(new FieldProblem(field, message)));
  }

  public List<FieldProblem> problems() {
    return problems;
  }

  private static String summary(List<FieldProblem> problems) {
    StringBuilder sb = new StringBuilder();
    for (FieldProblem p : problems) {
      if (!sb.isEmpty()) {
        sb.append("; ");
      }
      sb.append(p.field()).append(": ").append(p.message());
    }
    return sb.toString();
  }
}
