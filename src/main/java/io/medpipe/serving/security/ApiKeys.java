package io.medpipe.serving.security;

import io.medpipe.privacy.IdentifierShapes;
import io.medpipe.serving.ApiProperties;
import io.medpipe.system.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The prediction API's clients and their keys. A key is 32 random bytes shown once at creation; only its SHA-256 is
 * stored (and only hashes are kept in memory), so neither the database nor a heap dump gives a usable key away.
 *
 * <p>Two keys come from configuration rather than the table: the bootstrap admin key ({@code medpipe.api.admin-key},
 * client {@value #BOOTSTRAP_ADMIN}) and the service key of the workers' staging and smoke tests
 * ({@code medpipe.api.service-key}, client {@value #SERVICE_CLIENT}, role predict).
 */
@Service
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
class ApiKeys {

  static final String BOOTSTRAP_ADMIN = "bootstrap-admin";
  static final String SERVICE_CLIENT = "medpipe-serving-tests";
  /**
   * A client id names a system in a strict form: lower-case words joined by hyphens, the first of letters, each other
   * of letters or a number of at most three digits ({@code ehr-gateway}, {@code ward-7}, {@code lab-system-2}). No
   * dots or underscores (an e-mail's local part, {@code olivia.novak21}), no letters run together with digits
   * ({@code novak21}), no number long enough for a year or a record number.
   */
  private static final Pattern CLIENT_ID = Pattern.compile("(?=.{3,40}$)[a-z]{2,}(?:-(?:[a-z]{2,}|[0-9]{1,3}))*");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** An authenticated caller. */
  record Client(String clientId, ApiRole role) {}

  /** A key as listed by the admin API: never the key or its hash. */
  record KeyInfo(UUID id, String clientId, String role, Instant createdAt, String createdBy, Instant revokedAt) {}

  /** A newly created key: the only time the key itself is returned. */
  record NewKey(UUID id, String clientId, String role, String key) {}

  private record Cached(Optional<Client> client, long until) {}

  private final JdbcTemplate jdbc;
  private final Map<String, Client> configured = new ConcurrentHashMap<>();
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final long ttlNanos;

  ApiKeys(JdbcTemplate jdbc, ApiProperties api) {
    this.jdbc = jdbc;
    if (api.adminKey() != null && !api.adminKey().isBlank()) {
      configured.put(sha256(api.adminKey().trim()), new Client(BOOTSTRAP_ADMIN, ApiRole.ADMIN));
    }
    if (api.serviceKey() != null && !api.serviceKey().isBlank()) {
      configured.put(sha256(api.serviceKey().trim()), new Client(SERVICE_CLIENT, ApiRole.PREDICT));
    }
    this.ttlNanos = api.keyCacheTtl().toNanos();
  }

  /**
   * The client a presented key belongs to; empty for an unknown or revoked key. Lookups are cached for
   * {@code medpipe.api.key-cache-ttl}, so a revocation takes effect on every node within that time.
   */
  Optional<Client> authenticate(String key) {
    if (key == null || key.isBlank() || key.length() > 200) {
      return Optional.empty();
    }
    String hash = sha256(key.trim());
    Client fixed = configured.get(hash);
    if (fixed != null) {
      return Optional.of(fixed);
    }
    long now = System.nanoTime();
    Cached c = cache.get(hash);
    if (c != null && c.until() - now > 0) {
      return c.client();
    }
    Optional<Client> found = jdbc.query(
        "SELECT client_id, role FROM medpipe.api_key WHERE key_sha256 = ? AND revoked_at IS NULL",
        (rs, i) -> new Client(rs.getString(1), ApiRole.of(rs.getString(2))), hash).stream().findFirst();
    if (cache.size() > 10_000) {
      cache.clear(); // bounded: wrong keys must not grow the cache without limit
    }
    cache.put(hash, new Cached(found, now + ttlNanos));
    return found;
  }

  /** Creates a key for a client; the returned key is not stored anywhere and cannot be shown again. */
  NewKey create(String clientId, ApiRole role, String createdBy) {
    if (clientId == null || !CLIENT_ID.matcher(clientId).matches() || clientId.equals(BOOTSTRAP_ADMIN)
        || clientId.equals(SERVICE_CLIENT)) {
      throw new InvalidRequestException("clientId", "must name the client system as 3-40 characters of lower-case "
          + "words joined by hyphens, each word letters only or a number of up to 3 digits, e.g. ehr-gateway or ward-7 "
          + "(and not a reserved client id)");
    }
    // the client id is written to every prediction record and log line of the client: it names a system, never a person
    IdentifierShapes.kind(clientId).ifPresent(kind -> {
      throw new InvalidRequestException("clientId", "looks like " + kind + "; name the client system, not a person");
    });
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String key = "mpk_" + HexFormat.of().formatHex(bytes);
    UUID id = UUID.randomUUID();
    jdbc.update("INSERT INTO medpipe.api_key (id, client_id, role, key_sha256, created_by) VALUES (?, ?, ?, ?, ?)",
        id, clientId, role.id(), sha256(key), createdBy);
    return new NewKey(id, clientId, role.id(), key);
  }

  List<KeyInfo> list() {
    return jdbc.query("SELECT id, client_id, role, created_at, created_by, revoked_at FROM medpipe.api_key "
        + "ORDER BY created_at",
        (rs, i) -> new KeyInfo(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
            rs.getTimestamp(4).toInstant(), rs.getString(5),
            rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()));
  }

  /** Revokes a key; false if there is no such (unrevoked) key. */
  boolean revoke(UUID id) {
    boolean done = jdbc.update("UPDATE medpipe.api_key SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL",
        id) == 1;
    cache.clear();
    return done;
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
