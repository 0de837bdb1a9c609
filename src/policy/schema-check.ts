/**
 * Checks one migrated document against its JSON Schema and turns ajv's
 * errors into located, plain-language problems. Messages never quote a
 * value from the file (it may be a misplaced secret); the location points at it.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { RulesProblem } from '../errors';
import { DURATION_PATTERN } from './duration';
import { problemAt } from './problems';
import {
  HOST_PATTERN, MAC_PATTERN, NAME_PATTERN, SECRET_NAME_PATTERN, SSH_FINGERPRINT_PATTERN, TLS_FINGERPRINT_PATTERN, UPS_NAME_PATTERN,
} from './schema/common';
import { policyDocumentSchema } from './schema/policy';
import { targetsDocumentSchema } from './schema/targets';
import type { PolicyDocument, RulesDocument, TargetsDocument } from './spec';
import { TARGET_TYPES } from './spec';
import { escapePointerToken, type SourceDocument } from './yaml-source';

const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true, strictRequired: false, verbose: true });
addFormats(ajv, ['uri']);
const validators: { Targets: ValidateFunction<TargetsDocument>; Policy: ValidateFunction<PolicyDocument> } = {
  Targets: ajv.compile(targetsDocumentSchema),
  Policy: ajv.compile(policyDocumentSchema),
};

/** Keys that name a secret: their value must be `{ secretRef: NAME }`, whatever the target type. */
const SECRET_KEYS = new Set([
  'key', 'token', 'credentials', 'password', 'passphrase', 'secret', 'private_key', 'api_key', 'apikey', 'pass',
]);

const PATTERN_MEANINGS: Record<string, string> = {
  [DURATION_PATTERN]: 'a duration such as 90s, 5m or 1h30m',
  [NAME_PATTERN]: 'a name of lowercase letters, digits, - and _ (64 at most, starting with a letter or digit)',
  [UPS_NAME_PATTERN]: 'a UPS written upsname or upsname@host[:port]',
  [HOST_PATTERN]: 'a host name or IP address',
  [MAC_PATTERN]: 'a MAC address such as 00:11:22:33:44:55',
  [SSH_FINGERPRINT_PATTERN]: 'an SSH host key fingerprint as ssh-keygen -lf prints it (SHA256:…)',
  [TLS_FINGERPRINT_PATTERN]: 'a SHA-256 certificate fingerprint as 32 hex pairs separated by colons',
  '^https://': 'an https:// URL',
};

export interface CheckedDocument {
  document?: RulesDocument;
  problems: RulesProblem[];
}

export function checkSchema(value: unknown, source: SourceDocument): CheckedDocument {
  if (!isObject(value)) {
    return { problems: [problemAt(source.valueAt(''), 'schema.type', 'a rules document must be a mapping with apiVersion and kind')] };
  }
  const secretProblems = findPlaintextSecrets(value, '', source);
  const nullProblems = findEmptyValues(value, '', source);
  const kind = value.kind;
  if (kind !== 'Targets' && kind !== 'Policy') {
    const where = 'kind' in value ? source.valueAt('/kind') : source.valueAt('');
    const message = 'kind' in value ? '`kind` must be Targets or Policy' : 'missing required key `kind` (Targets or Policy)';
    return { problems: [...secretProblems, problemAt(where, 'schema.kind', message)] };
  }
  const validate = validators[kind];
  if (validate(value) && secretProblems.length === 0 && nullProblems.length === 0) return { document: value, problems: [] };
  const skipPointers = [...secretPointers(value, ''), ...nullPointers(value, '')];
  const errors = (validate.errors ?? []).filter((error) => !skipPointers.some((pointer) => isAtOrUnder(error, pointer)));
  const schemaProblems = mostTelling(errors).flatMap((error) => describe(error, value, source));
  return { problems: [...secretProblems, ...nullProblems, ...schemaProblems] };
}

/** A value of the wrong type needs no second message about its pattern or value; a missing `type` none about its branch. */
function mostTelling(errors: ErrorObject[]): ErrorObject[] {
  const mistyped = new Set(errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath));
  const missingType = new Set(errors
    .filter((error) => error.keyword === 'required' && (error.params as { missingProperty: string }).missingProperty === 'type')
    .map((error) => error.instancePath));
  return errors.filter((error) =>
    (error.keyword === 'type' || !mistyped.has(error.instancePath)) &&
    !(error.keyword === 'discriminator' && missingType.has(error.instancePath)));
}

function describe(error: ErrorObject, root: Record<string, unknown>, source: SourceDocument): RulesProblem[] {
  const path = error.instancePath;
  const label = labelOf(path);
  const at = (message: string, where = source.valueAt(path)): RulesProblem[] => [
    problemAt(where, `schema.${error.keyword}`, message),
  ];
  const params = error.params as Record<string, unknown>;
  // The policy's ups/group choice reports its branches' `required` errors too: keep only the summary.
  if (error.schemaPath.startsWith('#/oneOf/')) return [];
  switch (error.keyword) {
    case 'required':
      return at(`missing required key \`${String(params.missingProperty)}\`${where(label)}`);
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties ?? {}) as object);
      return at(`unknown key \`${key}\`${where(label)}${suggestion(key, known)}`, source.keyAt(`${path}/${escapePointerToken(key)}`));
    }
    case 'propertyNames':
      return [];
    case 'pattern': {
      if (error.propertyName !== undefined) {
        return at(`name \`${error.propertyName}\` must be ${PATTERN_MEANINGS[NAME_PATTERN]}`, source.keyAt(`${path}/${escapePointerToken(error.propertyName)}`));
      }
      return at(`\`${label}\` must be ${PATTERN_MEANINGS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`}`);
    }
    case 'type': {
      const isDuration = (error.parentSchema as { pattern?: string } | undefined)?.pattern === DURATION_PATTERN;
      return at(`\`${label}\` must be ${isDuration ? PATTERN_MEANINGS[DURATION_PATTERN] : article(String(params.type))}`);
    }
    case 'format':
      return at(`\`${label}\` must be a valid ${String(params.format) === 'uri' ? 'URL' : String(params.format)}`);
    case 'enum':
      if ((params.allowedValues as unknown[]).length === 1) {
        return at(`\`${label}\` can only be ${String((params.allowedValues as unknown[])[0])} (leave it out otherwise)`);
      }
      return at(`\`${label}\` must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return at(`\`${label}\` must be ${String(params.allowedValue)}`);
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return at(`\`${label}\` must be ${String(params.comparison)} ${String(params.limit)}`);
    case 'maxLength':
      return at(`\`${label}\` must be at most ${String(params.limit)} characters`);
    case 'minLength':
      return at(`\`${label}\` must not be empty`);
    case 'minItems':
      return at(`\`${label}\` must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`);
    case 'uniqueItems': {
      const [first, second] = [Number(params.i), Number(params.j)].sort((a, b) => a - b) as [number, number];
      return at(`\`${label}\` lists the same entry twice (items ${first + 1} and ${second + 1})`, source.valueAt(`${path}/${second}`));
    }
    case 'minProperties': case 'maxProperties':
      return at(onePropertyMessage(path, label));
    case 'discriminator':
      return at(`\`type\` must be one of: ${TARGET_TYPES.join(', ')}`, source.valueAt(`${path}/type`));
    case 'oneOf':
      if (path === '' && 'ups' in root && 'group' in root) return at('give either `ups` or `group`, not both', source.keyAt('/group'));
      if (path === '') return at('missing `ups` (the UPSes this policy watches) or `group` (a redundancy group)');
      return at(`\`${label}\` does not match its schema`);
    case 'not':
      return at('give restore `actions` or `inverse: true`, not both', source.keyAt(`${path}/inverse`));
    default:
      return at(`\`${label}\` ${error.message ?? 'is invalid'}`);
  }
}

function onePropertyMessage(path: string, label: string): string {
  if (/\/triggers\/(any|all)\/\d+$/.test(path)) return 'a trigger holds exactly one condition, e.g. `- on_battery: { for: 2m }`';
  if (path.endsWith('/guests')) return '`guests` takes exactly one of `all: true`, `ids` or `tags`';
  if (path === '/triggers') return '`triggers` needs `any` or `all`';
  return `\`${label}\` has the wrong number of keys`;
}

/** `/stages/0/actions/1/op` → `op`; `/ups/0` → `ups[0]`. */
function labelOf(path: string): string {
  const tokens = path.split('/').slice(1).map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  let label = '';
  for (let index = tokens.length - 1; index >= 0; index -= 1) {
    const token = tokens[index]!;
    if (/^\d+$/.test(token)) label = `[${token}]${label}`;
    else return `${token}${label}`;
  }
  return label || 'document';
}

function where(label: string): string {
  return label === 'document' ? '' : ` in \`${label}\``;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping', array: 'a list', string: 'text', integer: 'a whole number', number: 'a number', boolean: 'true or false',
  };
  return names[type] ?? type;
}

/** ` (did you mean \`timeout\`?)` for a key one or two edits from a known one. */
function suggestion(key: string, known: string[]): string {
  const close = known.find((candidate) => editDistance(key, candidate) <= 2);
  return close ? ` (did you mean \`${close}\`?)` : '';
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function findPlaintextSecrets(value: unknown, path: string, source: SourceDocument): RulesProblem[] {
  return secretPointers(value, path).map((pointer) => {
    const key = labelOf(pointer);
    return problemAt(
      source.keyAt(pointer),
      'schema.secret',
      `\`${key}\` must be { secretRef: NAME }: a secret is never written in rules. ` +
        'Store it with `walnut secrets set NAME` and name it here',
    );
  });
}

/** Pointers of secret-named keys whose value is not a well-formed secretRef. */
function secretPointers(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => secretPointers(item, `${path}/${index}`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const pointer = `${path}/${escapePointerToken(key)}`;
    if (SECRET_KEYS.has(key.toLowerCase()) && !isSecretRef(child)) return [pointer];
    return secretPointers(child, pointer);
  });
}

function isSecretRef(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 1 && typeof value.secretRef === 'string' &&
    new RegExp(SECRET_NAME_PATTERN).test(value.secretRef);
}

function findEmptyValues(value: unknown, path: string, source: SourceDocument): RulesProblem[] {
  return nullPointers(value, path).map((pointer) =>
    problemAt(source.keyAt(pointer), 'schema.empty', `\`${labelOf(pointer)}\` has no value: give one or remove the key`),
  );
}

function nullPointers(value: unknown, path: string): string[] {
  if (value === null) return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => nullPointers(item, `${path}/${index}`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => nullPointers(child, `${path}/${escapePointerToken(key)}`));
}

function isAtOrUnder(error: ErrorObject, pointer: string): boolean {
  const path = error.keyword === 'additionalProperties'
    ? `${error.instancePath}/${escapePointerToken(String((error.params as { additionalProperty: string }).additionalProperty))}`
    : error.instancePath;
  return path === pointer || path.startsWith(`${pointer}/`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
