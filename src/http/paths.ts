/** Where the bull-board queue dashboard is served. */
export const DASHBOARD_PATH = '/admin/queues';

/** Where the operator panel is served. */
export const PANEL_PATH = '/admin';
