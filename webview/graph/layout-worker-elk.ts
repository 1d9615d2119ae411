// The layout worker with ELK (see layout-worker.ts). ELK's bundle installs its own onmessage
// when it finds itself in a worker; serveLayouts replaces it.
import ELK from 'elkjs/lib/elk.bundled.js';
import { serveLayouts } from './layout-worker';

serveLayouts(new ELK());
