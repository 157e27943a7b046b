import type { DateTime, Duration } from 'luxon';

/** What a check looks at; each kind is one field name in the schedule (`check: { dns: wien.rocks, … }`). */
export const CHECK_KINDS = ['mastodonVersion', 'dns', 'tls', 'http'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** `ask`: a passing check marks the task "bereit" and waits for the operator. `auto`: it marks the task done. */
export type ConfirmMode = 'ask' | 'auto';

export const DNS_TYPES = ['A', 'AAAA', 'CNAME'] as const;
export type DnsType = (typeof DNS_TYPES)[number];

/** A host and port, e.g. a DNS resolver `1.1.1.1:53` or a TLS endpoint `wien.rocks:443`. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

interface CheckCommon {
  /** Default `ask`. */
  readonly confirm: ConfirmMode;
  /** How often the check runs once the window has started. Default PT30S. */
  readonly every: Duration;
  /** How many results in a row must agree before the check counts as passing (or failing). Default 2. */
  readonly passes: number;
  /** How long one probe may take. Default PT10S, or `every` when that is shorter. */
  readonly timeout: Duration;
}

export type CheckSpec = CheckCommon &
  (
    | {
        readonly kind: 'mastodonVersion';
        /** A semver range such as ">=4.0.0". */
        readonly range: string;
        /** Base URL of the instance; default https://<schedule.instance>. */
        readonly url: string;
      }
    | {
        readonly kind: 'dns';
        readonly name: string;
        readonly type: DnsType;
        /** The new addresses (A, AAAA) or target name (CNAME), normalised (lowercase, no trailing dot). */
        readonly expect: readonly string[];
        /** Resolvers asked; empty means the machine's own resolvers. */
        readonly resolvers: readonly Endpoint[];
        /** The record's TTL, if the schedule gives it: the change reaches everyone at most this long after it was made. */
        readonly ttl: Duration | null;
        /** How many resolvers must see the new address for the check to pass. Default 1: the change is made; the rest is propagation. */
        readonly minResolvers: number;
      }
    | {
        readonly kind: 'tls';
        readonly endpoint: Endpoint;
        /** The name sent in SNI; default the host. */
        readonly servername: string;
        /** Passes when the served certificate's notBefore is at or after this time. */
        readonly issuedAfter: DateTime | null;
        /** Passes when the served certificate's SHA-256 fingerprint is this ("AB:CD:…", uppercase). */
        readonly fingerprint: string | null;
      }
    | {
        readonly kind: 'http';
        readonly url: string;
        /** Default 200. */
        readonly status: number;
        readonly contains: string | null;
      }
  );

export type CheckOf<K extends CheckKind> = Extract<CheckSpec, { kind: K }>;

/** One probe's answer: did it pass, and what it saw, in one short German line for people. */
export interface ProbeResult {
  readonly ok: boolean;
  /** "Version 4.0.2", "HTTP 503", "Zeitüberschreitung nach 10 s" … */
  readonly summary: string;
  /** DNS only: what each resolver answered. */
  readonly resolvers?: readonly ResolverAnswer[];
}

export interface ResolverAnswer {
  /** "9.9.9.9:53" */
  readonly resolver: string;
  /** Whether this resolver sees the new address. */
  readonly sees: boolean;
  readonly answers: readonly string[];
  readonly error: string | null;
}
