// `node parse-asyncapi.ts FILE`: what the official AsyncAPI parser finds in the document, as JSON on
// stdout: its diagnostics, and each channel with the actions of its operations and the payloads of
// its messages (references resolved). A process of its own: under Vitest, Node resolves packages
// with the `import` condition, which reaches a broken ES build among the parser's dependencies.
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: parse-asyncapi.ts FILE');
const { document, diagnostics } = await new Parser().parse(readFileSync(file, 'utf8'));
const found = {
  diagnostics: diagnostics.map(({ code, severity, message, path }) => ({
    code,
    severity,
    message,
    path: path.join('/'),
  })),
  channels: document
    ?.channels()
    .all()
    .map((channel) => ({
      address: channel.address(),
      actions: channel
        .operations()
        .all()
        .map((o) => o.action()),
      payloads: channel
        .messages()
        .all()
        .map((m) => m.payload()?.json()),
    })),
};
// The parser names every schema it met (`x-parser-schema-id`): not part of the document.
process.stdout.write(
  JSON.stringify(found, (key, value: unknown) => (key.startsWith('x-parser-') ? undefined : value)),
);
