/**
 * Runs one exporter: checks its name, format and config, streams its output
 * through a counter and a sha256 into `out`, and records the export as an
 * event (what, how many, how big, which digest) so exports leave a trace.
 */
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { UsageError } from '../errors';
import { Event } from '../store/models';
import type { ExportContext, ExportResult } from './exporter';
import { EXPORTERS, findExporter, type AnyExporter } from './exporters';

export interface RunExportOptions {
  format?: string;
  config?: unknown;
  /** Ended when the export is complete, unless it is the process's stdout or stderr. */
  out: Writable;
  /** The file `out` writes, to record in the result. */
  path?: string;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validators = new Map<string, ValidateFunction>();

function validatorFor(exporter: AnyExporter): ValidateFunction {
  let validate = validators.get(exporter.name);
  if (!validate) {
    validate = ajv.compile(exporter.configSchema);
    validators.set(exporter.name, validate);
  }
  return validate;
}

/** Names the key at fault and what it must be; never the value given (it may be anything, even a secret). */
function describeConfigError(error: ErrorObject): string {
  const at = error.instancePath.slice(1).replace(/\//g, '.');
  const key = (child: unknown): string => [at, String(child)].filter((part) => part !== '').join('.');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': return `unknown key "${key(params.additionalProperty)}"`;
    case 'required': return `missing key "${key(params.missingProperty)}"`;
    case 'enum': return `key "${at}" must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    default: return at === '' ? `the config ${error.message ?? 'is invalid'}` : `key "${at}" ${error.message ?? 'is invalid'}`;
  }
}

/** The passthrough that measures what reaches `out`. */
class DigestStream extends Transform {
  readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }
}

/** The exporter and format a run would use; UsageError when the name, format or config is wrong. Callers may check before opening anything. */
export function checkExport(name: string, format: string | undefined, config: unknown): { exporter: AnyExporter; format: string } {
  const exporter = findExporter(name);
  if (!exporter) throw new UsageError(`no exporter named "${name}" (there are: ${EXPORTERS.map((known) => known.name).join(', ')})`);
  const chosen = format ?? exporter.formats[0]!;
  if (!exporter.formats.includes(chosen)) {
    throw new UsageError(`exporter "${name}" has no format "${chosen}" (it writes: ${exporter.formats.join(', ')})`);
  }
  const validate = validatorFor(exporter);
  if (!validate(config)) {
    throw new UsageError(`invalid config for exporter "${name}": ${(validate.errors ?? []).map(describeConfigError).join('; ')}`);
  }
  return { exporter, format: chosen };
}

export async function runExport(context: ExportContext, name: string, options: RunExportOptions): Promise<ExportResult> {
  const config = options.config ?? {};
  const { exporter, format } = checkExport(name, options.format, config);
  const { out } = options;
  const digest = new DigestStream();
  const ending = out !== process.stdout && out !== process.stderr;
  digest.pipe(out, { end: ending });
  const complete = ending ? finished(out) : finished(digest);
  complete.catch(() => undefined); // awaited below; a failure before then must not go unhandled
  // A failing output must fail the export, not leave the exporter waiting for 'drain'.
  const onOutError = (error: Error): void => void digest.destroy(error);
  out.once('error', onOutError);
  let count: number;
  try {
    ({ count } = await exporter.export(context, config as never, format, digest));
    digest.end();
    await complete;
  } catch (error) {
    digest.unpipe(out);
    digest.destroy();
    throw error;
  } finally {
    out.off('error', onOutError);
  }
  const result: ExportResult = {
    exporter: name, format, count, size: digest.size, sha256: digest.hash.digest('hex'),
    ...(options.path === undefined ? {} : { path: options.path }),
  };
  await Event.query(context.knex).insert({
    site_id: context.siteId, ts: Date.now(), severity: 'info', type: 'export.created', source: `export:${name}`,
    message: `exported ${count} item${count === 1 ? '' : 's'} with ${name} as ${format} (${result.size} bytes, sha256 ${result.sha256.slice(0, 12)}…)`,
    data: JSON.stringify(result),
  });
  return result;
}
