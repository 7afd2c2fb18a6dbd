import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated } from '../testing/mutations.ts';
import { readOrRefuse } from '../testing/refusals.ts';
import { parseXml, type Element } from './xml.ts';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** An element as the test means it: what parseXml must read back. */
interface Tree {
  readonly localName: string;
  readonly prefix: 'vim25:' | '';
  readonly text: string;
  readonly type: string | undefined;
  readonly xsiType: string | undefined;
  readonly children: readonly Tree[];
}

const name = fc.stringMatching(/^[A-Za-z_][\w.-]{0,11}$/);
// Any character XML allows, some outside the Basic Multilingual Plane.
const xmlText = fc
  .string({ unit: 'grapheme', maxLength: 16 })
  .map((s) => s.replace(/[^\t\n\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|\r/gu, ''));
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc
    .record({
      localName: name,
      prefix: fc.constantFrom('vim25:' as const, ''),
      text: xmlText,
      type: fc.option(xmlText, { nil: undefined }),
      xsiType: fc.option(name, { nil: undefined }),
      children: fc.oneof(
        { maxDepth: 4, depthIdentifier: 'tree' },
        fc.constant([]),
        fc.array(tie('tree'), { maxLength: 3 }),
      ),
    })
    // SOAP responses have no mixed content: an element holds text or elements.
    .map((t) => (t.children.length ? { ...t, text: '' } : t)),
}));

/** How a character is written: as itself, as a named entity or as a reference. */
const SPELLINGS = ['bare', 'named', 'decimal', 'hex'] as const;
type Spelling = (typeof SPELLINGS)[number];
const NAMED: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
function spell(text: string, how: Spelling): string {
  return [...text]
    .map((c) => {
      const code = c.codePointAt(0) as number;
      if (how === 'decimal') return `&#${code};`;
      if (how === 'hex') return `&#x${code.toString(16)};`;
      return NAMED[c] ?? c;
    })
    .join('');
}

/** XML for a tree, with the xsi prefix the server chose and characters spelt as `how` says. */
function write(t: Tree, xsi: string, how: Spelling, root = true): string {
  const tag = `${t.prefix}${t.localName}`;
  const ns = root ? ` xmlns="urn:vim25" xmlns:vim25="urn:vim25" xmlns:${xsi}="${XSI}"` : '';
  const type = t.type === undefined ? '' : ` type="${spell(t.type, how)}"`;
  const xsiType = t.xsiType === undefined ? '' : ` ${xsi}:type="vim25:${t.xsiType}"`;
  const body = t.children.map((c) => write(c, xsi, how, false)).join('') + spell(t.text, how);
  return body === '' && how !== 'bare'
    ? `<${tag}${ns}${type}${xsiType}/>`
    : `<${tag}${ns}${type}${xsiType}>${body}</${tag}>`;
}

const read = (el: Element): Tree => ({
  localName: el.localName,
  prefix: '',
  text: el.textContent,
  type: el.type,
  xsiType: el.xsiType,
  children: el.children.map(read),
});
const unprefixed = (t: Tree): Tree => ({ ...t, prefix: '', children: t.children.map(unprefixed) });

const written = fc.record({
  tree,
  xsi: fc.constantFrom('xsi', 'XMLSchema-instance', 'x'),
  how: fc.constantFrom(...SPELLINGS),
});
const markup = fc
  .array(
    fc.oneof(
      fc.constantFrom('<', '>', '</', '/>', '=', '"', "'", ' ', '&', ';', '&amp;', '&#', '&#x'),
      fc.constantFrom('<![CDATA[', ']]>', '<!--', '-->', '<?xml version="1.0"?>', '<!DOCTYPE a>'),
      fc.constantFrom('a', 'b:c', 'xmlns:b="u"', 'xsi:type="T"', '&#128512;', '&#1114112;'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

describe('parseXml: a response is outside data', () => {
  it('gives back any tree written, whatever the prefixes and however its characters are spelt', () => {
    fc.assert(
      fc.property(written, ({ tree: t, xsi, how }) => {
        expect(read(parseXml(write(t, xsi, how)))).toEqual(unprefixed(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads or refuses any string, saying why', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 256 }), markup), (xml) => {
        readOrRefuse(() => parseXml(xml), Error);
      }),
      { numRuns: 4000 },
    );
  });

  it('reads or refuses a document with its bytes edited, saying why', () => {
    const bytes = mutated(
      written.map((w) => new TextEncoder().encode(write(w.tree, w.xsi, w.how))),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        readOrRefuse(() => parseXml(new TextDecoder().decode(b)), Error);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads deep nesting in time that grows with its length only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), (depth) => {
        // Each xsi:type resolved against a declaration made at the top.
        const open = `<r xmlns:xsi="${XSI}">` + '<v xsi:type="T">'.repeat(depth);
        let el: Element | undefined = parseXml(open + '</v>'.repeat(depth) + '</r>');
        for (let d = 0; d < depth; d++) el = el?.children[0];
        expect(el?.xsiType).toBe('T');
      }),
      { numRuns: 20 },
    );
  });
});
