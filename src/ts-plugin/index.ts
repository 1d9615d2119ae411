// A TypeScript server plugin that VS Code loads for the extension (package.json
// "typescriptServerPlugins"): in a user's own folder `import * as torch from 'gradlens'` has no
// package to resolve to, so the editor showed "Cannot find module 'gradlens'" and offered no
// completions, though the script ran. The plugin resolves the name, when nothing else does,
// to the engine's type declarations shipped in the extension. Built by scripts/build.mjs into
// node_modules/gradlens-typescript-plugin, where TypeScript looks for plugins.
import * as path from 'node:path';
import type * as ts from 'typescript/lib/tsserverlibrary';

declare const module: { exports: unknown };

/** The engine's declarations, relative to node_modules/gradlens-typescript-plugin/index.js. */
const TYPES = path.join(__dirname, '..', '..', 'dist', 'types', 'engine', 'index.d.ts');

function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
  const tsm = modules.typescript;
  return {
    create(info) {
      const host = info.languageServiceHost;
      const resolve = host.resolveModuleNameLiterals?.bind(host);
      if (resolve === undefined) return info.languageService;
      const engine: ts.ResolvedModuleWithFailedLookupLocations = {
        resolvedModule: {
          resolvedFileName: TYPES,
          extension: tsm.Extension.Dts,
          isExternalLibraryImport: true,
        },
      };
      host.resolveModuleNameLiterals = (literals, ...rest) =>
        resolve(literals, ...rest).map((r, i) =>
          literals[i].text === 'gradlens' && r.resolvedModule === undefined ? engine : r,
        );
      info.project.projectService.logger.info(
        `gradlens: 'gradlens' resolves to ${TYPES} where nothing else provides it`,
      );
      return info.languageService;
    },
  };
}

module.exports = init;
