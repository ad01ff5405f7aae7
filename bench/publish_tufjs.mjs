#!/usr/bin/env node
// publish_tufjs.mjs - the Node peer of bench/publish.sh: the same release as
// `ward repo add-targets` + `ward repo sign` (x2) + `ward repo publish`, done
// with @tufjs/models (the models package of tuf-js 5) and Node's crypto.
//
//   node bench/publish_tufjs.mjs --repo PUBLISHED_DIR --source NEW_DIR
//        --targets-key K1 --targets-key K2 --snapshot-key K --timestamp-key K
//        --passphrase-file F [--fsync] [--as-is]
//
// PUBLISHED_DIR is a consistent-snapshot repository as `ward repo publish`
// leaves it (metadata/ and targets/).  Every regular file under NEW_DIR
// becomes a target named by its path relative to NEW_DIR: it is read once,
// hashed (length, sha256, sha512, as ward does) and written to
// targets/DIR/SHA256.NAME.  Then targets.json gets the new entries, version
// + 1 and expiry now + 90 days, and is signed by the two targets keys;
// snapshot (now + 7 days) and timestamp (now + 1 day) follow, signed by the
// online keys.  Metadata is written as canonical JSON (like ward), each file
// through a temporary file and rename(2).
//
// The keys are ward's encrypted PKCS#8 files (scrypt + AES-256-CBC), read by
// Node's crypto (OpenSSL 3) with the passphrase: the first line of
// --passphrase-file.  Keyids are found by matching each key's public half
// against root.json.
//
// --fsync also makes the result durable the way ward's is: every written
// file is fsync'd, then every directory written into, target files before
// the metadata that names them (fsyncs issued concurrently through libuv's
// thread pool, which is how a Node program would do it efficiently).
//
// Prints one JSON line to stdout: what was written and a breakdown of the
// time (ms) spent in each step.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('./publish-node/package.json', import.meta.url));
const { Metadata, MetaFile, TargetFile, Signature } = require('@tufjs/models');
const { canonicalize } = require('@tufjs/canonical-json');

const DAY = 86400 * 1000;

function parseArgs(argv) {
	const o = { targetsKeys: [], fsync: false, asIs: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const v = () => {
			if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
			return argv[++i];
		};
		if (a === '--repo') o.repo = v();
		else if (a === '--source') o.source = v();
		else if (a === '--targets-key') o.targetsKeys.push(v());
		else if (a === '--snapshot-key') o.snapshotKey = v();
		else if (a === '--timestamp-key') o.timestampKey = v();
		else if (a === '--passphrase-file') o.passphraseFile = v();
		else if (a === '--fsync') o.fsync = true;
		else if (a === '--as-is') o.asIs = true;
		else throw new Error(`unknown argument ${a}`);
	}
	for (const k of ['repo', 'source', 'snapshotKey', 'timestampKey', 'passphraseFile'])
		if (!o[k]) throw new Error(`--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} is required`);
	if (o.targetsKeys.length === 0) throw new Error('--targets-key is required');
	return o;
}

// TUF expiry format: RFC 3339, seconds precision, Z.
const expiry = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// Canonical JSON of a whole metadata file, reusing the canonical bytes of
// "signed" that were just signed ("signatures" sorts before "signed").
function metadataBytes(md, signedBytes) {
	const sigs = Object.values(md.signatures).map((s) => canonicalize(s.toJSON()));
	return Buffer.concat([
		Buffer.from(`{"signatures":[${sigs.join(',')}],"signed":`),
		signedBytes,
		Buffer.from('}'),
	]);
}

// Signs md's "signed" (bytes: its canonical form, if already made) with each
// signer; returns the whole file's bytes.
function sign(md, signers, bytes) {
	bytes ??= Buffer.from(canonicalize(md.signed.toJSON()));
	md.signatures = {};
	for (const s of signers) {
		const sig = crypto.sign(null, bytes, s.key).toString('hex');
		md.signatures[s.keyid] = new Signature({ keyID: s.keyid, sig });
	}
	return metadataBytes(md, bytes);
}

// @tufjs/models 4.1.1 builds a Targets' map in Targets.fromJSON and
// Targets.toJSON with reduce((acc, ...) => ({...acc, [path]: ...})), which
// copies the map once per entry: quadratic, hours for 110,000 targets.  A
// fair user of the library works around it: the role's other fields still go
// through Metadata.fromJSON / Targets.toJSON (with an empty map) and each
// entry through TargetFile.fromJSON / TargetFile.toJSON, in a plain loop.
// --as-is uses the library's own Metadata.fromJSON and Targets.toJSON.
function loadTargets(data, asIs) {
	if (asIs) return Metadata.fromJSON('targets', data);
	const { targets: raw, ...signed } = data.signed;
	const md = Metadata.fromJSON('targets', { ...data, signed: { ...signed, targets: {} } });
	const map = md.signed.targets;
	for (const p of Object.keys(raw)) map[p] = TargetFile.fromJSON(p, raw[p]);
	return md;
}

function targetsSignedJSON(signed) {
	const map = signed.targets;
	signed.targets = {};
	let json;
	try {
		json = signed.toJSON();
	} finally {
		signed.targets = map;
	}
	const out = {};
	for (const p of Object.keys(map)) out[p] = map[p].toJSON();
	json.targets = out;
	return json;
}

const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');

function verifyThreshold(root, role, bytes, signatures) {
	const r = root.signed.roles[role];
	let good = 0;
	for (const keyid of r.keyIDs) {
		const sig = signatures[keyid];
		const k = root.signed.keys[keyid];
		if (!sig || !k || k.keyType !== 'ed25519') continue;
		const pub = crypto.createPublicKey({
			key: Buffer.concat([ED25519_SPKI, Buffer.from(k.keyVal.public, 'hex')]), format: 'der', type: 'spki',
		});
		if (crypto.verify(null, bytes, pub, Buffer.from(sig.sig, 'hex'))) good++;
	}
	if (good < r.threshold) throw new Error(`${role}: ${good} of ${r.threshold} signatures`);
}

const hashes = (buf) => ({
	sha256: crypto.createHash('sha256').update(buf).digest('hex'),
	sha512: crypto.createHash('sha512').update(buf).digest('hex'),
});

async function main() {
	const opt = parseArgs(process.argv.slice(2));
	const t = {};
	let mark = performance.now();
	const lap = (name) => {
		const now = performance.now();
		t[name] = Math.round((now - mark) * 10) / 10;
		mark = now;
		if (process.env.PUBLISH_TRACE) console.error(`${name}: ${t[name]} ms`);
	};
	const metaDir = path.join(opt.repo, 'metadata');
	const targetsDir = path.join(opt.repo, 'targets');
	const written = []; // files to fsync (with --fsync)
	const dirs = new Set();

	// Keys: decrypt (scrypt) and find their keyids in root.json.
	const passphrase = fs.readFileSync(opt.passphraseFile, 'utf8').split('\n')[0];
	const root = Metadata.fromJSON('root', JSON.parse(fs.readFileSync(path.join(metaDir, 'root.json'))));
	const byPublic = new Map();
	for (const [keyid, k] of Object.entries(root.signed.keys)) byPublic.set(k.keyVal.public, keyid);
	const load = (file) => {
		const key = crypto.createPrivateKey({ key: fs.readFileSync(file), format: 'pem', passphrase });
		const pub = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
		const keyid = byPublic.get(pub);
		if (!keyid) throw new Error(`${file}: not a key of root.json`);
		return { key, keyid };
	};
	const targetsSigners = opt.targetsKeys.map(load);
	const snapshotSigner = load(opt.snapshotKey);
	const timestampSigner = load(opt.timestampKey);
	lap('unlock_keys');

	// Current metadata: timestamp -> snapshot -> targets (consistent snapshots).
	const timestamp = Metadata.fromJSON('timestamp', JSON.parse(fs.readFileSync(path.join(metaDir, 'timestamp.json'))));
	const snapVersion = timestamp.signed.snapshotMeta.version;
	const snapshot = Metadata.fromJSON('snapshot',
		JSON.parse(fs.readFileSync(path.join(metaDir, `${snapVersion}.snapshot.json`))));
	const targetsVersion = snapshot.signed.meta['targets.json'].version;
	const targets = loadTargets(
		JSON.parse(fs.readFileSync(path.join(metaDir, `${targetsVersion}.targets.json`))), opt.asIs);
	lap('load_metadata');

	// New targets: read, hash, add, and store under their consistent-snapshot name.
	const entries = fs.readdirSync(opt.source, { recursive: true, withFileTypes: true });
	let added = 0;
	for (const e of entries) {
		if (!e.isFile()) continue;
		const dir = e.parentPath ?? e.path;
		const rel = path.relative(opt.source, path.join(dir, e.name)).split(path.sep).join('/');
		const data = fs.readFileSync(path.join(dir, e.name));
		const h = hashes(data);
		targets.signed.targets[rel] = new TargetFile({ length: data.length, path: rel, hashes: h });
		const outDir = path.join(targetsDir, path.dirname(rel));
		if (!dirs.has(outDir)) {
			fs.mkdirSync(outDir, { recursive: true });
			dirs.add(outDir);
		}
		const out = path.join(outDir, `${h.sha256}.${path.basename(rel)}`);
		fs.writeFileSync(out, data);
		written.push(out);
		added++;
	}
	lap('add_targets');
	if (opt.fsync) {
		await fsyncAll(written, dirs);
		written.length = 0;
		dirs.clear();
		lap('fsync_targets');
	}

	// targets.json: bump, sign with the offline keys, check the threshold.
	targets.signed.version++;
	targets.signed.expires = expiry(90 * DAY);
	const json = opt.asIs ? targets.signed.toJSON() : targetsSignedJSON(targets.signed);
	const signedBytes = Buffer.from(canonicalize(json));
	const targetsBytes = sign(targets, targetsSigners, signedBytes);
	lap('sign_targets');
	// As `ward repo publish` does: refuse unless the threshold of root's
	// targets role is met.  (Root.verifyDelegate would canonicalize the role
	// again through the quadratic Targets.toJSON, so this checks the
	// signatures over the bytes just signed, with root's keys.)
	verifyThreshold(root, 'targets', signedBytes, targets.signatures);
	lap('verify_targets');
	const put = (name, bytes) => {
		const file = path.join(metaDir, name);
		const tmp = `${file}.tmp-${process.pid}`;
		fs.writeFileSync(tmp, bytes);
		if (opt.fsync) fsyncFile(tmp);
		fs.renameSync(tmp, file);
		dirs.add(metaDir);
	};
	put(`${targets.signed.version}.targets.json`, targetsBytes);
	put('targets.json', targetsBytes);
	lap('write_targets');

	// snapshot and timestamp, signed by the online keys.
	snapshot.signed.version++;
	snapshot.signed.expires = expiry(7 * DAY);
	snapshot.signed.meta['targets.json'] = new MetaFile({
		version: targets.signed.version, length: targetsBytes.length, hashes: hashes(targetsBytes),
	});
	const snapshotBytes = sign(snapshot, [snapshotSigner]);
	put(`${snapshot.signed.version}.snapshot.json`, snapshotBytes);
	put('snapshot.json', snapshotBytes);
	timestamp.signed.version++;
	timestamp.signed.expires = expiry(1 * DAY);
	timestamp.signed.snapshotMeta = new MetaFile({
		version: snapshot.signed.version, length: snapshotBytes.length, hashes: hashes(snapshotBytes),
	});
	put('timestamp.json', sign(timestamp, [timestampSigner]));
	if (opt.fsync) await fsyncAll([], dirs);
	lap('snapshot_timestamp');

	console.log(JSON.stringify({
		added,
		targets: Object.keys(targets.signed.targets).length,
		targets_version: targets.signed.version,
		targets_bytes: targetsBytes.length,
		snapshot_version: snapshot.signed.version,
		timestamp_version: timestamp.signed.version,
		fsync: opt.fsync,
		as_is: opt.asIs,
		ms: t,
	}));
}

function fsyncFile(file) {
	const fd = fs.openSync(file, 'r');
	try {
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
}

// fsync many files concurrently through libuv's thread pool, then their
// directories.
async function fsyncAll(files, dirs) {
	const one = async (f) => {
		const h = await fs.promises.open(f, 'r');
		try {
			await h.sync();
		} finally {
			await h.close();
		}
	};
	const pool = async (list) => {
		let next = 0;
		const worker = async () => {
			while (next < list.length) await one(list[next++]);
		};
		await Promise.all(Array.from({ length: 16 }, worker));
	};
	await pool(files);
	await pool([...dirs]);
}

main().catch((e) => {
	console.error(`publish_tufjs.mjs: ${e.stack || e}`);
	process.exit(1);
});
