// Node-RED loads each node's .html, locales/ and icons/ from beside its .js:
// copy everything in nodes/ that tsc does not emit into dist/nodes/.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const from = path.join(root, 'nodes');
const to = path.join(root, 'dist', 'nodes');

function copyAssets(source, target) {
  if (!fs.existsSync(source)) return;
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    const src = path.join(source, entry.name);
    const dst = path.join(target, entry.name);
    if (entry.isDirectory()) copyAssets(src, dst);
    else if (!entry.name.endsWith('.ts')) {
      fs.mkdirSync(target, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}

copyAssets(from, to);
