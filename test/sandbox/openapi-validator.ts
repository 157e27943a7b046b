/**
 * Validates sandbox responses against the Mastodon OpenAPI schema that CI
 * provides in ../shared (see /work/shared/mastodon-openapi/README.md). The
 * schema is reference data outside the repository; it is read, never copied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const SCHEMA_PATH = fileURLToPath(new URL('../../../shared/mastodon-openapi/schema.json', import.meta.url));

export const schemaAvailable = existsSync(SCHEMA_PATH);

const SCHEMA_ID = 'mastodon-openapi';

function pointer(...segments: string[]): string {
  return segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly document: { paths: Record<string, Record<string, unknown>> };

  constructor(path = SCHEMA_PATH) {
    this.document = JSON.parse(readFileSync(path, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    // The document mixes OpenAPI keywords (example, externalDocs, ...) into its schemas.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.ajv);
    this.ajv.addFormat('iso-639-1', /^[a-z]{2}$/);
    this.ajv.addSchema({ ...this.document, $id: SCHEMA_ID });
  }

  private compile(ref: string): ValidateFunction {
    const cached = this.cache.get(ref);
    if (cached) return cached;
    const validate = this.ajv.compile({ $ref: `${SCHEMA_ID}#/${ref}` });
    this.cache.set(ref, validate);
    return validate;
  }

  /** Whether the operation documents a JSON body for this status code. */
  hasResponse(path: string, method: string, status: number): boolean {
    const operation = this.document.paths[path]?.[method.toLowerCase()] as
      | { responses?: Record<string, { content?: Record<string, unknown> }> }
      | undefined;
    return operation?.responses?.[String(status)]?.content?.['application/json'] !== undefined;
  }

  /** The content types the operation documents for this status code (e.g. text/event-stream for streams). */
  responseContentTypes(path: string, method: string, status: number): string[] {
    const operation = this.document.paths[path]?.[method.toLowerCase()] as
      | { responses?: Record<string, { content?: Record<string, unknown> }> }
      | undefined;
    return Object.keys(operation?.responses?.[String(status)]?.content ?? {});
  }

  /** Errors of `body` against the documented response of an operation; empty when it conforms. */
  responseErrors(path: string, method: string, status: number, body: unknown): string[] {
    if (!this.hasResponse(path, method, status)) {
      return [`The schema documents no JSON ${status} response for ${method.toUpperCase()} ${path}.`];
    }
    const ref = pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema');
    return this.errors(this.compile(ref), body);
  }

  /** Errors of a JSON request body against the operation's documented request body. */
  requestErrors(path: string, method: string, body: unknown): string[] {
    const ref = pointer('paths', path, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema');
    return this.errors(this.compile(ref), body);
  }

  componentErrors(name: string, body: unknown): string[] {
    return this.errors(this.compile(pointer('components', 'schemas', name)), body);
  }

  private errors(validate: ValidateFunction, body: unknown): string[] {
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}
