import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { pageHeaders } from './page-policy.ts';
import type { PanelView } from './panel-view.ts';
import { shipped } from '../../install-dir.ts';

/** templates/de/web/panel in this checkout. */
export const DEFAULT_PANEL_DIR = shipped('templates/de/web/panel/');

/** The parts of the panel that live updates replace, each rendered on its own. */
export const PANEL_SECTIONS = ['overview', 'tasks', 'window', 'questions', 'toots', 'jobs', 'budgets'] as const;
export type PanelSection = (typeof PANEL_SECTIONS)[number];

export interface Flash {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

export interface ConfirmStep {
  readonly title: string;
  readonly text: string;
  readonly button: string;
  readonly outcome: string;
  /** extend only: the requested deadline, carried through the confirmation. */
  readonly deadline?: string;
  readonly action: string;
  readonly back: string;
}

/**
 * The operator panel's HTML: Handlebars with escaping on, so every note,
 * question and error message is text, never markup. Our own CSS and script
 * are the only raw parts, allowed by hash in the Content-Security-Policy.
 */
export class PanelPages {
  private readonly handlebars = Handlebars.create();
  private readonly panel: Handlebars.TemplateDelegate;
  private readonly sections: Record<PanelSection, Handlebars.TemplateDelegate>;
  private readonly confirmPage: Handlebars.TemplateDelegate;
  private readonly messagePage: Handlebars.TemplateDelegate;
  private readonly css: string;
  private readonly script: string;
  readonly csp: string;
  private readonly pageHeaders: Record<string, string>;

  constructor(dir = DEFAULT_PANEL_DIR) {
    const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
    this.css = read('panel.css');
    this.script = read('panel.js');
    const compile = (source: string) => this.handlebars.compile(source, { strict: true });
    this.sections = Object.fromEntries(
      PANEL_SECTIONS.map((name) => {
        const source = read(`_${name}.hbs`);
        this.handlebars.registerPartial(name, source);
        return [name, compile(source)];
      }),
    ) as Record<PanelSection, Handlebars.TemplateDelegate>;
    this.panel = compile(read('panel.hbs'));
    this.confirmPage = compile(read('confirm.hbs'));
    this.messagePage = compile(read('message.hbs'));
    this.pageHeaders = pageHeaders({ css: this.css, script: this.script, formAction: "'self'", cache: 'no-store', referrer: 'same-origin' });
    this.csp = this.pageHeaders['Content-Security-Policy']!;
  }

  page(view: PanelView, options: { token: string; eventsUrl: string; flash?: Flash | null }): string {
    return this.panel({ view, token: options.token, eventsUrl: options.eventsUrl, flash: options.flash ?? null, css: this.css, script: this.script });
  }

  /** Each live section as HTML, for the live updates. */
  sectionsOf(view: PanelView, token: string): Record<PanelSection, string> {
    return Object.fromEntries(PANEL_SECTIONS.map((name) => [name, this.sections[name]({ view, token })])) as Record<PanelSection, string>;
  }

  confirm(step: ConfirmStep, token: string): string {
    return this.confirmPage({ ...step, token, css: this.css });
  }

  message(title: string, text: string | null, options: { back?: string; links?: readonly { href: string; label: string }[] } = {}): string {
    return this.messagePage({ title, text, back: options.back ?? null, links: options.links ?? null, css: this.css });
  }

  /** Headers every panel page gets: never cached, never framed, no referrer. */
  headers(): Record<string, string> {
    return { ...this.pageHeaders };
  }
}
