// Once per e2e run: install code-server if missing, build, package and install the .vsix.
import { prepareExtension } from './harness/code-server';

export default function setup(): void {
  prepareExtension();
}
