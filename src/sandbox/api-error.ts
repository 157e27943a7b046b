import { HeroldError } from '../errors.ts';

/**
 * An error answer in Mastodon's format, `{"error": "..."}`. Thrown anywhere
 * below the router; the server turns it into the HTTP response. The messages
 * are Mastodon's own because clients (and Herold) match on them.
 */
export class ApiError extends HeroldError {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  static notFound(): ApiError {
    return new ApiError(404, 'Record not found');
  }

  static invalidToken(): ApiError {
    return new ApiError(401, 'The access token is invalid', {
      'WWW-Authenticate':
        'Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"',
    });
  }

  static outsideScopes(): ApiError {
    return new ApiError(403, 'This action is outside the authorized scopes', {
      'WWW-Authenticate':
        'Bearer realm="Doorkeeper", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token."',
    });
  }

  /** ActiveRecord::RecordInvalid, which Mastodon renders as "Validation failed: ...". */
  static validation(...messages: string[]): ApiError {
    return new ApiError(422, `Validation failed: ${messages.join(', ')}`);
  }
}

/** Thrown by the sandbox's own test helpers (mention(), addAccount(), ...) on misuse. */
export class SandboxError extends HeroldError {
  override name = 'SandboxError';
}
