import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { pageHeaders } from './page-policy.ts';
import type { PublicView } from './public-view.ts';
import { shipped } from '../../install-dir.ts';

/** templates/de/web in this checkout. */
export const DEFAULT_WEB_DIR = shipped('templates/de/web/');

export interface PageLink {
  readonly href: string;
  readonly label: string;
}

/**
 * The HTML pages. Handlebars with escaping ON (unlike toots): every value
 * from a schedule, a note or a toot URL is escaped. Only our own CSS and
 * script are inserted raw, and the Content-Security-Policy allows exactly
 * those two inline blocks by hash, nothing from elsewhere.
 */
export class StatusPages {
  private readonly handlebars = Handlebars.create();
  private readonly status: Handlebars.TemplateDelegate;
  private readonly notFound: Handlebars.TemplateDelegate;
  private readonly maintenancePage: Handlebars.TemplateDelegate;
  private readonly css: string;
  private readonly script: string;
  /** Content-Security-Policy for every page rendered here. */
  readonly csp: string;
  private readonly pageHeaders: Record<string, string>;

  constructor(dir = DEFAULT_WEB_DIR) {
    const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
    this.css = read('status.css');
    this.script = read('status.js');
    this.handlebars.registerPartial('_head', read('_head.hbs'));
    this.handlebars.registerPartial('_tasks', read('_tasks.hbs'));
    this.status = this.handlebars.compile(read('status.hbs'), { strict: true });
    this.notFound = this.handlebars.compile(read('not-found.hbs'), { strict: true });
    this.maintenancePage = this.handlebars.compile(read('maintenance.hbs'), { strict: true });
    this.pageHeaders = pageHeaders({ css: this.css, script: this.script, formAction: "'none'", cache: 'no-cache', referrer: 'no-referrer' });
    this.csp = this.pageHeaders['Content-Security-Policy']!;
  }

  /**
   * The page of one maintenance; `eventsUrl` is where its script listens for
   * changes; `upcoming` and `archive` link the other maintenances.
   */
  page(view: PublicView, options: { eventsUrl: string; upcoming?: readonly PageLink[]; archive?: readonly PageLink[] }): string {
    return this.status({ view, eventsUrl: options.eventsUrl, upcoming: options.upcoming ?? [], archive: options.archive ?? [], css: this.css, script: this.script });
  }

  /**
   * What browsers get on the instance's own address while its maintenance
   * runs (HEROLD_MAINTENANCE_HOSTS): the live progress, the expected end and
   * where to follow meanwhile.
   */
  maintenance(view: PublicView, options: { eventsUrl: string; statusPage: string | null }): string {
    return this.maintenancePage({ view, eventsUrl: options.eventsUrl, statusPage: options.statusPage, css: this.css, script: this.script });
  }

  /** A short German page for a 404 (or "nothing planned"). */
  message(title: string, message: string): string {
    return this.notFound({ title, message, css: this.css });
  }

  /** The page while Redis does not answer. */
  unavailable(): string {
    return this.message('Gerade nicht verfügbar', 'Der aktuelle Stand lässt sich gerade nicht abrufen. Bitte versuch es in einer Minute noch einmal.');
  }

  /** Headers every HTML page gets. */
  headers(): Record<string, string> {
    return { ...this.pageHeaders };
  }
}
