/**
 * The one error hierarchy. Every error a user can meet has a stable `code`
 * (for scripts, the API and node status) and a message that says what to do.
 * Messages never carry secrets: callers pass names and paths, never values.
 */
export class WalnutError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A setting (environment variable or settings file value) is invalid. */
export class SettingsError extends WalnutError {
  constructor(readonly variable: string, message: string) {
    super('SETTINGS_INVALID', `${variable}: ${message}`);
  }
}

/** Base of everything the store raises. */
export class StoreError extends WalnutError {}

/** No usable master key, or a key that is too short. */
export class MasterKeyError extends StoreError {
  constructor(message: string) {
    super('MASTER_KEY_INVALID', message);
  }
}

/** The master key does not open the database file. */
export class WrongKeyError extends StoreError {
  constructor(readonly source: string, readonly dbPath: string) {
    super(
      'MASTER_KEY_WRONG',
      `the key from ${source} does not open ${dbPath} ` +
        '(wrong master key, or the file is not a walNUT database)',
    );
  }
}

/** The database sits somewhere it cannot live safely (network filesystem, no locking, bad permissions). */
export class StoreLocationError extends StoreError {
  constructor(message: string) {
    super('STORE_LOCATION_UNSAFE', message);
  }
}

/** Another hub (or a maintenance command) holds the store. */
export class StoreBusyError extends StoreError {
  constructor(message: string) {
    super('STORE_BUSY', message);
  }
}

/** The PostgreSQL server named by DATABASE_URL cannot be reached, or refuses the login. */
export class StoreConnectionError extends StoreError {
  constructor(code: 'STORE_UNREACHABLE' | 'STORE_AUTH' | 'STORE_DATABASE_MISSING', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** What the store cannot do on this backend (a file operation asked of PostgreSQL). */
export class StoreUnsupportedError extends StoreError {
  constructor(message: string) {
    super('STORE_UNSUPPORTED', message);
  }
}

/** The data key row is missing or cannot be unwrapped. */
export class DataKeyError extends StoreError {
  constructor(message: string) {
    super('DATA_KEY_INVALID', message);
  }
}

/** A migration failed or the schema is not what this build expects. */
export class MigrationError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MIGRATION_FAILED', message, options);
  }
}

/** Rotating the master key failed; the message says which key opens the database now. */
export class RekeyError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REKEY_FAILED', message, options);
  }
}

/** Base of secret-store errors. */
export class SecretError extends WalnutError {}

export class SecretNotFoundError extends SecretError {
  constructor(readonly secretName: string) {
    super('SECRET_NOT_FOUND', `no secret named "${secretName}" (add it with: walnut secrets set ${secretName})`);
  }
}

/** A ciphertext failed authentication: tampered with, or written under another data key. */
export class SecretTamperedError extends SecretError {
  constructor(readonly secretName: string) {
    super(
      'SECRET_TAMPERED',
      `secret "${secretName}" failed its integrity check: it was altered or encrypted with another data key`,
    );
  }
}

export class SecretInputError extends SecretError {
  constructor(message: string) {
    super('SECRET_INPUT_INVALID', message);
  }
}

/** A command-line usage problem the user can fix by changing the command. */
export class UsageError extends WalnutError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The hub could not start one of its parts. */
export class HubStartError extends WalnutError {
  constructor(part: string, message: string, options?: { cause?: unknown }) {
    super('HUB_START_FAILED', `${part}: ${message}`, options);
  }
}

/** Base of everything the NUT client, poller and config tools raise. */
export class NutError extends WalnutError {}

/** The upsd server cannot be reached, dropped the connection, or did not answer in time. */
export class NutConnectionError extends NutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NUT_CONNECTION', message, options);
  }
}

/** upsd refused the credentials or the right (ACCESS-DENIED, USERNAME-REQUIRED, PASSWORD-REQUIRED, INVALID-PASSWORD…). */
export class NutAuthError extends NutError {
  constructor(readonly nutCode: string, message: string) {
    super('NUT_AUTH', message);
  }
}

/** upsd answered `ERR <code>` (kept in nutCode), or with a line that is not the protocol. */
export class NutProtocolError extends NutError {
  constructor(readonly nutCode: string, message: string) {
    super('NUT_PROTOCOL', message);
  }
}

/** A NUT configuration file or setting is invalid; names the file and line where it can. */
export class NutConfigError extends NutError {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super('NUT_CONFIG', file === undefined ? message : `${file}${line === undefined ? '' : `:${line}`}: ${message}`);
  }
}

/** One finding in a rules file: where it is and what to do about it. Never carries a secret value. */
export interface RulesProblem {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  /** Stable: `yaml`, `schema.<keyword>`, `semantic.<check>`. */
  code: string;
  message: string;
}

/** Rules files that cannot be used; the first problem leads the message, all are in `problems`. */
export class RulesError extends WalnutError {
  constructor(readonly problems: RulesProblem[]) {
    const first = problems[0];
    const lead = first ? `${first.file}:${first.line}:${first.column}: ${first.message}` : 'invalid rules';
    super('RULES_INVALID', problems.length > 1 ? `${lead} (and ${problems.length - 1} more)` : lead);
  }
}

/**
 * Base of what a target driver raises. `transient` errors (a host that did not
 * answer, a dropped connection) may be retried; the others (a refused key, a
 * wrong password, an op the device cannot do) never are.
 */
export class ActionError extends WalnutError {
  constructor(code: string, message: string, readonly transient: boolean, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The device did not answer (refused, reset, no route) or not in time. */
export class TargetUnreachableError extends ActionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TARGET_UNREACHABLE', message, true, options);
  }
}

/** An action or a verification ran out of time. */
export class ActionTimeoutError extends ActionError {
  constructor(message: string) {
    super('ACTION_TIMEOUT', message, true);
  }
}

/** The SSH host key (or TLS certificate) is not the trusted one: nothing was sent. */
export class HostKeyError extends ActionError {
  constructor(message: string) {
    super('HOST_KEY_REFUSED', message, false);
  }
}

/** The device refused our credentials. */
export class TargetAuthError extends ActionError {
  constructor(message: string) {
    super('TARGET_AUTH', message, false);
  }
}

/** The device answered, but the action failed there (non-zero exit, an error reply). */
export class ActionFailedError extends ActionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ACTION_FAILED', message, false, options);
  }
}

/** A target, an op or a job that does not exist or does not fit. */
export class TargetConfigError extends ActionError {
  constructor(message: string) {
    super('TARGET_CONFIG', message, false);
  }
}

/** Base of what the MQTT side raises. */
export class MqttError extends WalnutError {}

/** The broker cannot be reached or dropped the hub. */
export class MqttConnectionError extends MqttError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQTT_CONNECTION', message, options);
  }
}

/** The broker refused the hub's login (CONNACK 4 or 5). */
export class MqttAuthError extends MqttError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQTT_AUTH', message, options);
  }
}

/** Base of what backups, restores, exports and imports raise. */
export class ArchiveError extends WalnutError {}

/** Not a walNUT archive, a format this build cannot read, or a header that does not parse. */
export class ArchiveFormatError extends ArchiveError {
  constructor(message: string) {
    super('ARCHIVE_FORMAT', message);
  }
}

/** A part of the archive does not match its checksum or GCM tag: `section` names which. */
export class ArchiveTamperedError extends ArchiveError {
  constructor(readonly section: string, message: string) {
    super('ARCHIVE_TAMPERED', message);
  }
}

/** The archive's data key does not unwrap: wrong passphrase, or another master key. */
export class ArchiveKeyError extends ArchiveError {
  constructor(message: string) {
    super('ARCHIVE_KEY', message);
  }
}

/** Base of what the REST API answers with: `status` is the HTTP status, `code` goes in the JSON body. */
export class ApiError extends WalnutError {
  constructor(code: string, readonly status: number, message: string) {
    super(code, message);
  }
}

/** A query parameter, path parameter or body that does not fit; the message names which and why. */
export class ApiRequestError extends ApiError {
  constructor(message: string) {
    super('API_BAD_REQUEST', 400, message);
  }
}

/** No API key, an unknown one, or a revoked one. */
export class ApiAuthError extends ApiError {
  constructor(message: string) {
    super('API_UNAUTHORIZED', 401, message);
  }
}

/** Too many failed logins from this address: `retryAfterS` says when to try again. */
export class ApiRateLimitError extends ApiError {
  constructor(readonly retryAfterS: number) {
    super('API_RATE_LIMITED', 429, `too many failed authentications from this address: retry after ${retryAfterS} s`);
  }
}

/** The UPS, policy or route named does not exist. */
export class ApiNotFoundError extends ApiError {
  constructor(message: string) {
    super('API_NOT_FOUND', 404, message);
  }
}
