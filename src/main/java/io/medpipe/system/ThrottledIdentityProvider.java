package io.medpipe.system;

import java.time.Duration;
import org.camunda.bpm.engine.impl.identity.db.DbIdentityServiceProvider;
import org.camunda.bpm.engine.impl.persistence.entity.UserEntity;

/**
 * Camunda's database identity provider with {@link LoginThrottle} at its password check: the throttle is asked for the
 * user the engine is about to check — whatever spelling of the login form or header carried the name — and a
 * throttled check is refused without looking at the password ({@link LoginAttempt} then turns the answer into 429).
 * Outcomes are counted from the check itself, so a refusal for another reason (an authorization, a missing engine)
 * is never taken for a wrong password.
 *
 * <p>The engine's own lock after failed logins ({@code login-delay-*}, {@code login-max-attempts}) is switched off
 * here: it locked the user for everyone, so every wrong password an outsider sent also refused the right one from
 * the real user — the workers included — for a few seconds. It also wrote to the database on every failure.
 * Password checks the application makes itself (no HTTP request on the thread) are not throttled.
 */
final class ThrottledIdentityProvider extends DbIdentityServiceProvider {

  private final LoginThrottle throttle;
  private final WorkerLogin workers;

  ThrottledIdentityProvider(LoginThrottle throttle, WorkerLogin workers) {
    this.throttle = throttle;
    this.workers = workers;
  }

  @Override
  public boolean checkPassword(String userId, String password) {
    LoginAttempt attempt = LoginAttempt.current();
    if (attempt == null || workers.matches(userId, password, attempt.address())) {
      return super.checkPassword(userId, password);
    }
    Duration wait = throttle.waitFor(attempt.address(), userId);
    if (!wait.isZero()) {
      attempt.throttle(wait);
      return false;
    }
    boolean valid = super.checkPassword(userId, password);
    if (valid) {
      throttle.succeeded(attempt.address(), userId);
    } else {
      throttle.failed(attempt.address(), userId);
    }
    return valid;
  }

  @Override
  protected boolean isUserLocked(UserEntity user) {
    return false;
  }

  @Override
  protected void lockUser(UserEntity user) {
    // LoginThrottle delays the address and user that failed; nothing is locked for everyone
  }
}
