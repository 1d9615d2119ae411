// The layout worker without ELK (see layout-worker.ts): a fraction of its size, so it is
// ready as soon as the page is.
import { serveLayouts } from './layout-worker';

serveLayouts(null);
