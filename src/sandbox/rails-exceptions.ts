/**
 * Answers Rails renders itself, outside Mastodon's API error handling.
 *
 * What Rails answers for an exception Mastodon does not rescue
 * (ActionDispatch::PublicExceptions, Mastodon sets no exceptions_app): the
 * format comes from the Accept header, because the API routes have
 * `format: false`. A JSON Accept gets `{"status":500,"error":"Internal Server Error"}`;
 * anything else, including the `*\/*` that fetch, masto, Mastodon.py and toot
 * send, gets Mastodon's public/500.html as text/html.
 */
import type { ApiResponse } from './routes.ts';

/** The text of app/views/errors/500.html.haml with config/locales/en.yml's errors.500. */
export const MASTODON_500_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>This page is not correct - Mastodon</title>\n</head>\n<body class="error">\n<div class="dialog">\n<div class="dialog__message">\n<h1>We&#39;re sorry, but something went wrong on our end.</h1>\n</div>\n</div>\n</body>\n</html>\n';

/** app/views/errors/404.html.haml with config/locales/en.yml's errors.404, in the error layout. */
export const MASTODON_404_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>The page you are looking for isn&#39;t here. - Mastodon</title>\n</head>\n<body class="error">\n<div class="dialog">\n<div class="dialog__message">\n<h1>The page you are looking for isn&#39;t here.</h1>\n</div>\n</div>\n</body>\n</html>\n';

/** ActionDispatch::Http::MimeNegotiation: a browser-like Accept (a list with *\/*) is ignored. */
function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return false;
  if (/,\s*\*\/\*|\*\/\*\s*,/.test(accept)) return false;
  const first = accept.split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? '';
  return first === 'application/json' || first === 'text/x-json' || first === 'application/jsonrequest';
}

/**
 * A path no route matches (including an API a profile does not have yet):
 * `match '*unmatched_route' → application#raise_not_found` raises RoutingError,
 * which ErrorResponses#respond_with_error renders with `format.any` first, so
 * `Accept: *\/*` gets the HTML page and only a JSON Accept gets
 * `{"error":"Not Found"}`. ApplicationController sends no rate-limit headers.
 */
export function routingErrorResponse(accept: string | undefined): ApiResponse {
  if (wantsJson(accept)) return { status: 404, body: { error: 'Not Found' } };
  return { status: 404, body: null, text: MASTODON_404_PAGE, contentType: 'text/html; charset=utf-8' };
}

export function railsExceptionResponse(status: number, accept: string | undefined): ApiResponse {
  if (wantsJson(accept)) return { status, body: { status, error: 'Internal Server Error' } };
  return { status, body: null, text: MASTODON_500_PAGE, contentType: 'text/html; charset=utf-8' };
}
