// Builds the console's scripts and styles into dist/ with esbuild: one
// entry per page (src/pages/*.js), shared code split into chunks, every
// file named by its content hash so that the daemon can serve it with a
// year of caching. dist/manifest.json tells the daemon which files each
// page loads. Run by `make web` (after `npm ci`); the Go build embeds
// dist/.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, basename, relative } from 'node:path';

const root = import.meta.dirname;
const out = join(root, 'dist');
const pages = readdirSync(join(root, 'src/pages')).filter((f) => f.endsWith('.js')).map((f) => join(root, 'src/pages', f));

for (const f of readdirSync(out)) if (f !== '.gitkeep') rmSync(join(out, f), { recursive: true });
mkdirSync(out, { recursive: true });

const result = await esbuild.build({
  entryPoints: pages,
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['chrome100', 'firefox100', 'safari15'],
  outdir: out,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.png': 'file', '.svg': 'file' },
  metafile: true,
  logLevel: 'warning',
});

// The manifest: for each page, its script, the chunks it imports (which
// the page preloads, so that they download beside the script rather than
// after it has been parsed) and the stylesheets it pulls in.
const manifest = { pages: {} };
const outputs = result.metafile.outputs;
function chunks(file, seen = new Set()) {
  for (const imp of outputs[file].imports) {
    if (imp.kind !== 'import-statement' || imp.external || seen.has(imp.path)) continue;
    seen.add(imp.path);
    chunks(imp.path, seen);
  }
  return seen;
}
let total = 0;
for (const [file, meta] of Object.entries(outputs)) {
  const name = relative(out, join(root, file));
  total += gzipSync(readFileSync(join(root, file))).length;
  // Chunks loaded by import() have an entryPoint too; only src/pages are
  // pages.
  if (!meta.entryPoint || !meta.entryPoint.startsWith('src/pages/')) continue;
  const page = basename(meta.entryPoint, '.js');
  manifest.pages[page] = {
    js: name,
    preload: [...chunks(file)].map((f) => relative(out, join(root, f))).sort(),
    css: meta.cssBundle ? [relative(out, join(root, meta.cssBundle))] : [],
  };
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`console assets: ${Object.keys(manifest.pages).length} pages, ${(total / 1024).toFixed(1)} KiB gzipped in all`);
