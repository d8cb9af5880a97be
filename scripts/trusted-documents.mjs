#!/usr/bin/env node
/**
 * Writes client/trusted-documents.json: every document of the client kit (client/operations/, as
 * client/generated/graphql.ts builds them), in GraphQL Code Generator's persisted-documents format
 * (bare hex SHA-256 of the text → the text), for TRUSTED_DOCUMENTS_FILE.
 *
 * Each operation is registered in two spellings: as printed from the kit (what `fetch`, urql or
 * graphql-request send), and as Apollo Client sends it, after its cache adds `__typename` to every
 * selection set (`addTypenameToDocument`), so the console and any stock Apollo Client match.
 *
 * `--check` writes nothing and fails when the file is stale (part of `npm run codegen:check`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const { print } = require('graphql');
const { addTypenameToDocument } = require('@apollo/client/utilities');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const generated = join(root, 'client/generated/graphql.ts');
const target = join(root, 'client/trusted-documents.json');

// The kit is TypeScript: transpiled in memory, it yields the very DocumentNodes front ends import.
const { outputText } = ts.transpileModule(readFileSync(generated, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
const kit = { exports: {} };
new Function('exports', 'require', 'module', outputText)(kit.exports, require, kit);

const manifest = {};
for (const name of Object.keys(kit.exports).filter((key) => key.endsWith('Document')).sort()) {
  const document = kit.exports[name];
  for (const text of new Set([print(document), print(addTypenameToDocument(document))])) {
    manifest[createHash('sha256').update(text).digest('hex')] = text;
  }
}
const written = `${JSON.stringify(manifest, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== written) {
    console.error('client/trusted-documents.json is stale: run `npm run codegen`.');
    process.exit(1);
  }
} else {
  writeFileSync(target, written);
  console.log(`client/trusted-documents.json: ${Object.keys(manifest).length} documents`);
}
