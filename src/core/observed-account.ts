import type { MastodonAccount } from './ports/mastodon-account.ts';

/** Told about the outcome of every call made through an observed account. */
export interface AccountObserver {
  /** `method` is the account's method name: post, edit, verify … */
  succeeded?(method: string): void;
  failed?(method: string, error: unknown): void;
}

/**
 * The account with every call's outcome reported to `observer`; callers take
 * it in place of the account and know nothing of it. A Proxy, so methods added
 * to MastodonAccount later pass through.
 */
export function observedAccount<T extends MastodonAccount>(account: T, observer: AccountObserver): T {
  return new Proxy(account, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = String(property);
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (ok: unknown) => {
            observer.succeeded?.(method);
            return ok;
          },
          (error: unknown) => {
            observer.failed?.(method, error);
            throw error;
          },
        );
      };
    },
  });
}
