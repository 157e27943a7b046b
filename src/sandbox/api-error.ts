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

  /** Mastodon::RaceConditionError (e.g. a lock another request holds), rescued in Api::ErrorHandling. */
  static raceCondition(): ApiError {
    return new ApiError(503, 'There was a temporary problem serving your request, please try again');
  }

  /** Api::BaseController#require_user! for a login that cannot use the API yet. */
  static accountState(state: 'pending' | 'unconfirmed'): ApiError {
    return new ApiError(
      403,
      state === 'pending' ? 'Your login is currently pending approval' : 'Your login is missing a confirmed e-mail address',
    );
  }

  /** ActiveRecord::RecordInvalid, which Mastodon renders as "Validation failed: ...". */
  static validation(...messages: string[]): ApiError {
    return new ApiError(422, `Validation failed: ${messages.join(', ')}`);
  }
}

/**
 * An exception Mastodon does not rescue: Rails' PublicExceptions answers 500
 * with public/500.html, or `{"status":500,"error":"Internal Server Error"}`
 * when the request's Accept header asks for JSON. The message is only for the
 * sandbox's request log.
 */
export class InternalServerError extends ApiError {
  override name = 'InternalServerError';

  constructor(readonly exception: string) {
    super(500, 'Internal Server Error');
  }
}

/** No route matches the request (ActionController::RoutingError), rendered by ApplicationController, not the API. */
export class RoutingError extends ApiError {
  override name = 'RoutingError';

  constructor() {
    super(404, 'Not Found');
  }
}

/** Thrown by the sandbox's own test helpers (mention(), addAccount(), ...) on misuse. */
export class SandboxError extends HeroldError {
  override name = 'SandboxError';
}
