// webpack loader for the CLI bundle (build-cli-bundle.ts). Bundled code must still find what it
// finds as separate modules: our modules' import.meta paths point at their compiled file, and
// the SDK's `require(failureConverterPath)` gets the bundled converter, not a second copy of
// @temporalio/common and its protobuf root (that copy alone costs ~200 ms of start-up).
import { dirname, relative, sep } from 'node:path';

export interface CliBundleLoaderOptions {
  /** A folder at the depth of the bundle's: paths below are taken relative to it. */
  bundleDir: string;
  /** dist/: modules below it are ours. */
  distDir: string;
  /** Modules the SDK loads by path (converters), bundled for it. */
  converters: string[];
}

interface LoaderContext {
  resourcePath: string;
  getOptions(): CliBundleLoaderOptions;
}

const CONVERTER_HELPERS = ['@temporalio', 'common', 'lib', 'internal-non-workflow', 'data-converter-helpers.js'].join(
  sep,
);
const CONVERTER_REQUIRE = 'module = require(path);';

// The bundle's own folder at run time, as webpack leaves __dirname alone (node.__dirname: false).
const atRunTime = (path: string) => `__non_webpack_require__("node:path").join(__dirname, ${JSON.stringify(path)})`;

export default function cliBundleLoader(this: LoaderContext, source: string): string {
  const { bundleDir, distDir, converters } = this.getOptions();
  const file = this.resourcePath;
  if (file.endsWith(sep + CONVERTER_HELPERS)) {
    if (source.split(CONVERTER_REQUIRE).length !== 2) {
      throw new Error(
        `${file}: expected one \`${CONVERTER_REQUIRE}\` to point at the bundled converters; has the SDK changed?`,
      );
    }
    // Keyed by path relative to the bundle, so a moved install still matches; others load as before.
    const table = converters
      .map((c) => `${JSON.stringify(relative(bundleDir, c))}: () => require(${JSON.stringify(c)})`)
      .join(', ');
    return source.replace(
      CONVERTER_REQUIRE,
      `module = ((bundled, key) => Object.hasOwn(bundled, key) ? bundled[key]() : __non_webpack_require__(path))({ ${table} }, require("node:path").relative(__dirname, path));`,
    );
  }
  if (file.startsWith(distDir + sep)) {
    const rewritten = source
      .replaceAll('import.meta.dirname', atRunTime(relative(bundleDir, dirname(file))))
      .replaceAll('import.meta.filename', atRunTime(relative(bundleDir, file)))
      .replaceAll(
        'import.meta.url',
        `__non_webpack_require__("node:url").pathToFileURL(${atRunTime(relative(bundleDir, file))}).href`,
      );
    if (/\bimport\.meta\b/.test(rewritten))
      throw new Error(`${file}: uses import.meta beyond dirname, filename and url, which the CLI bundle cannot answer`);
    return rewritten;
  }
  return source;
}
