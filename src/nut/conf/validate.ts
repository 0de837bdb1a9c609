/**
 * Findings for parsed NUT configuration files: what NUT would reject, ignore
 * or do differently from what the file seems to say, each with the line and a
 * sentence that says what to change. Pure: no I/O (check.ts reads the files).
 * Messages name settings, users and UPSes but never echo a password; as a
 * second guard, redactSecrets() blanks any known secret quoted in a message.
 */
export {
  type AddressKind, classifyAddress, isLoopbackAddress, nearestKnown, type NutConfFinding, type Severity,
} from './validate-common';
export { validateUpsConf } from './validate-ups-conf';
export { validateUpsdConf } from './validate-upsd-conf';
export { validateUpsdUsers } from './validate-upsd-users';
export { validateUpsmonConf } from './validate-upsmon-conf';
export { type CrossFileInput, redactSecrets, validateAcrossFiles, validateSecretFileMode } from './validate-files';
