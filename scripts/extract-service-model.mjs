#!/usr/bin/env node
// Writes src/aws/service-model.json: the few facts of the ElastiCache service model that the
// gateway and the emulator depend on (operations' documented faults, each fault's wire code and
// HTTP status, and the names of all the service's operations, so the emulator can tell a real
// Action it does not implement from a made-up one). The project keeps this extract instead of the 440 KB model so that it builds from
// its own repository; re-run this script when AWS updates the model:
//   node scripts/extract-service-model.mjs path/to/elasticache-2015-02-02.service.json
import { readFileSync, writeFileSync } from 'node:fs';

const OPERATIONS = [
  'CreateServerlessCacheSnapshot',
  'DescribeServerlessCacheSnapshots',
  'DescribeServerlessCaches',
  'CopyServerlessCacheSnapshot',
  'DeleteServerlessCacheSnapshot',
  'ExportServerlessCacheSnapshot',
  // Restore (SnapshotArnsToRestore) and tagging of serverless snapshots and caches.
  'CreateServerlessCache',
  'ListTagsForResource',
  'AddTagsToResource',
  'RemoveTagsFromResource',
];

const [modelPath] = process.argv.slice(2);
if (!modelPath) {
  console.error('usage: extract-service-model.mjs <elasticache-2015-02-02.service.json>');
  process.exit(2);
}
const model = JSON.parse(readFileSync(modelPath, 'utf8'));
const stripTags = (html) => (html ?? '').replace(/<[^>]+>/g, '').trim();

const operations = {};
const faults = {};
for (const name of OPERATIONS) {
  const op = model.operations[name];
  if (!op) throw new Error(`operation ${name} is not in ${modelPath}`);
  operations[name] = { errors: op.errors.map((e) => e.shape) };
  for (const { shape } of op.errors) {
    const s = model.shapes[shape];
    faults[shape] = {
      code: s.error?.code ?? shape,
      httpStatus: s.error?.httpStatusCode ?? 400,
      senderFault: s.error?.senderFault ?? false,
      documentation: stripTags(s.documentation),
    };
  }
}

const extract = {
  source: {
    uid: model.metadata.uid,
    apiVersion: model.metadata.apiVersion,
    protocol: model.metadata.protocol,
    xmlNamespace: model.metadata.xmlNamespace,
  },
  operations,
  operationNames: Object.keys(model.operations).sort(),
  faults: Object.fromEntries(Object.entries(faults).sort(([a], [b]) => a.localeCompare(b))),
};
writeFileSync(new URL('../src/aws/service-model.json', import.meta.url), JSON.stringify(extract, null, 2) + '\n');
