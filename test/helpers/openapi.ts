/** Checks API answers against the response schemas of the hub's OpenAPI document (ajv, every error listed). */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { HttpMethod, OpenApiDocument } from '../../src/api/openapi';

export class ResponseChecker {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema(document as unknown as object, 'openapi.json');
  }

  /** Throws, naming every mismatch, when `body` is not what the document promises for this path, method and status. */
  check(path: string, method: HttpMethod, status: number, body: unknown): void {
    const response = this.document.paths[path]?.[method]?.responses[String(status)];
    if (!response) throw new Error(`${method.toUpperCase()} ${path} answered ${status}, which the document does not list`);
    const schema = response.content?.['application/json'].schema;
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status} has no JSON schema`);
    const key = `${path} ${method} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const target = schema.$ref === undefined ? schema : { $ref: `openapi.json${schema.$ref}` };
      validate = this.ajv.compile(target);
      this.compiled.set(key, validate);
    }
    if (!validate(body)) throw new Error(`${key}: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`);
  }
}
