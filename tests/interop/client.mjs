#!/usr/bin/env node
// client.mjs - a small command-line TUF client on tuf-js, an implementation
// independent of libward.  ward's interop tests (tests/e2e/tufjs_interop.py)
// and benchmarks (bench/) use it to check that what libward writes is what
// another client accepts, and to time the same work.
//
//   node client.mjs --metadata-dir D [--root ROOT.json] --metadata-url U
//                   [--targets-url T --out O] [--time ISO] [--lookup-only]
//                   [TARGET...]
//
// --root          copied to D/root.json when D holds no root.json yet (the
//                 trust anchor; D is created if missing)
// --time          fixes the reference time.  tuf-js 5 has no option for it
//                 (its TrustedMetadataStore and Metadata.isExpired call
//                 `new Date()`), so the global Date is replaced by one whose
//                 `new Date()` and `Date.now()` return ISO; Date with
//                 arguments behaves as usual.
// --lookup-only   refresh and look each TARGET up in the delegation tree, but
//                 do not download it (prints its length and sha256)
//
// Without TARGET it only refreshes.  Each downloaded target is written to
// O/TARGET (directories created), and one line per target is printed:
//   downloaded TARGET LENGTH SHA256
// Any failure prints "client.mjs: ERROR" on stderr and exits 1 (2 for usage).

import fs from 'node:fs';
import path from 'node:path';

function usage(msg) {
  if (msg) process.stderr.write(`client.mjs: ${msg}\n`);
  process.stderr.write(
    'usage: node client.mjs --metadata-dir D [--root ROOT.json] --metadata-url U\n' +
    '                       [--targets-url T --out O] [--time ISO] [--lookup-only] [TARGET...]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const a = { targets: [], lookupOnly: false };
  const withValue = {
    '--metadata-dir': 'metadataDir', '--root': 'root', '--metadata-url': 'metadataUrl',
    '--targets-url': 'targetsUrl', '--out': 'out', '--time': 'time',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--lookup-only') {
      a.lookupOnly = true;
    } else if (arg === '-h' || arg === '--help') {
      usage();
    } else if (withValue[arg]) {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      a[withValue[arg]] = argv[++i];
    } else if (arg.startsWith('--')) {
      usage(`unknown option ${arg}`);
    } else {
      a.targets.push(arg);
    }
  }
  if (!a.metadataDir || !a.metadataUrl) usage('--metadata-dir and --metadata-url are required');
  if (a.targets.length && !a.lookupOnly && (!a.targetsUrl || !a.out))
    usage('downloading needs --targets-url and --out');
  return a;
}

// Replaces the global Date so that the current time is `iso`.
function fixClock(iso) {
  const fixed = Date.parse(iso);
  if (Number.isNaN(fixed)) usage(`--time: not a date: ${iso}`);
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixed);
      else super(...args);
    }
    static now() {
      return fixed;
    }
  }
  globalThis.Date = FixedDate;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.time) fixClock(a.time);
  // Imported only now, after the clock is fixed.
  const { Updater } = await import('tuf-js');

  fs.mkdirSync(a.metadataDir, { recursive: true });
  const trusted = path.join(a.metadataDir, 'root.json');
  if (!fs.existsSync(trusted)) {
    if (!a.root) throw new Error(`${trusted} does not exist and no --root was given`);
    fs.copyFileSync(a.root, trusted);
  }

  const updater = new Updater({
    metadataDir: a.metadataDir,
    metadataBaseUrl: a.metadataUrl,
    targetBaseUrl: a.targetsUrl,
    // A test server that answers 5xx is a failure to report, not to retry.
    config: { fetchRetry: 0 },
  });
  await updater.refresh();

  for (const name of a.targets) {
    const info = await updater.getTargetInfo(name);
    if (!info) throw new Error(`target ${name} not found`);
    if (a.lookupOnly) {
      console.log(`found ${name} ${info.length} ${info.hashes.sha256 ?? ''}`);
      continue;
    }
    const dest = path.join(a.out, ...name.split('/'));
    if (path.relative(a.out, dest).startsWith('..')) throw new Error(`unsafe target path ${name}`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    await updater.downloadTarget(info, dest);
    console.log(`downloaded ${name} ${info.length} ${info.hashes.sha256 ?? ''}`);
  }
}

main().catch((err) => {
  let msg = `${err}`;
  for (let c = err && err.cause; c; c = c.cause) msg += ` (cause: ${c})`;
  if (process.env.CLIENT_DEBUG && err && err.stack) msg += `\n${err.stack}`;
  process.stderr.write(`client.mjs: ${msg}\n`);
  process.exit(1);
});
