package io.medpipe.cli;

import picocli.CommandLine.Option;

/** Where the running medpipe is and whom to log in as (options, or MEDPIPE_URL/_USER/_PASSWORD). */
final class Connection {

  @Option(names = "--url", defaultValue = "${env:MEDPIPE_URL:-http://localhost:8080}",
      description = "medpipe's base URL (env MEDPIPE_URL; default ${DEFAULT-VALUE})") String url;

  @Option(names = "--user", defaultValue = "${env:MEDPIPE_USER:-operator}",
      description = "engine user (env MEDPIPE_USER; default ${DEFAULT-VALUE})") String user;

  @Option(names = "--password", defaultValue = "${env:MEDPIPE_PASSWORD}", arity = "0..1", interactive = true,
      description = "the user's password (env MEDPIPE_PASSWORD; --password alone asks for it)") String password;

  EngineApi api() {
    if (password == null || password.isEmpty()) {
      throw new EngineApi.Failure("no password: set MEDPIPE_PASSWORD or pass --password");
    }
    return new EngineApi(url, user, password);
  }
}
