package io.medpipe.serving.security;

import io.medpipe.system.InvalidRequestException.FieldProblem;
import io.medpipe.system.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The largest request body medpipe's API reads ({@code medpipe.serving.max-body-bytes}): a declared larger body is
 * refused with 400 before anything reads it, and a body sent without a length stops being readable at the limit
 * ({@link LimitedBodyRequest}), which also ends in a 400. Runs after authorization, so a caller without a valid
 * credential learns nothing but 401/403.
 */
final class ApiBodyLimitFilter extends OncePerRequestFilter {

  private final long maxBodyBytes;

  ApiBodyLimitFilter(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > maxBodyBytes) {
      Problems.write(response, HttpStatus.BAD_REQUEST, "request body is larger than " + maxBodyBytes + " bytes",
          List.of(new FieldProblem("$", "body larger than " + maxBodyBytes + " bytes")));
      return;
    }
    chain.doFilter(new LimitedBodyRequest(request, maxBodyBytes), response);
  }
}
