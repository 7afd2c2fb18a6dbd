import { describe, expect, it } from 'vitest';
import { child, parseXml, path } from './xml.ts';

describe('parseXml', () => {
  it('reads xsi:type by namespace, whatever prefix the server chose', () => {
    const a = parseXml(
      '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><v xsi:type="VirtualDisk"/></r>',
    );
    const b = parseXml(
      '<r xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"><v XMLSchema-instance:type="vim25:VirtualDisk"/></r>',
    );
    expect(child(a, 'v')?.xsiType).toBe('VirtualDisk');
    expect(child(b, 'v')?.xsiType).toBe('VirtualDisk');
  });

  it('leaves out the elements `keep` refuses, with their content, and reads on after them', () => {
    const el = parseXml(
      '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><d xsi:type="Skip"><x><y>1</y></x></d><d xsi:type="Keep"><x>2</x></d><e>3</e></r>',
      (e) => e.xsiType !== 'Skip',
    );
    expect(el.children.map((c) => c.xsiType ?? c.localName)).toEqual(['Keep', 'e']);
    expect(path(el, 'd', 'x')?.textContent).toBe('2');
  });

  it('tells `keep` the element each one is in: a child can be kept in some parents only', () => {
    const seen: (string | undefined)[] = [];
    const el = parseXml(
      '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><d xsi:type="A"><info>1</info></d><d xsi:type="B"><info>2</info></d></r>',
      (e, parent) => {
        seen.push(parent?.xsiType ?? parent?.localName);
        return e.localName !== 'info' || parent?.xsiType === 'A';
      },
    );
    expect(el.children.map((d) => d.children.map((c) => c.textContent))).toEqual([['1'], []]);
    expect(seen).toEqual([undefined, 'r', 'A', 'r', 'B']);
  });

  it("keeps a managed object reference's type and value", () => {
    const el = parseXml(
      '<r xmlns="urn:vim25"><returnval type="ContainerView">session[52a1]x</returnval></r>',
    );
    expect(path(el, 'returnval')).toMatchObject({
      type: 'ContainerView',
      textContent: 'session[52a1]x',
    });
  });

  it('refuses a document type declaration: no entity bomb, no external entity', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><a>&lol2;</a>';
    const external =
      '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>';
    expect(() => parseXml(bomb)).toThrow(/document type declaration/);
    expect(() => parseXml(external)).toThrow(/document type declaration/);
  });

  it('refuses malformed XML and undeclared entities', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/malformed XML response/);
    expect(() => parseXml('<a>&nope;</a>')).toThrow(/malformed XML response/);
    expect(() => parseXml('<a b="&nope;"/>')).toThrow(/malformed XML response/);
    expect(() => parseXml('<a/><b/>')).toThrow(/malformed XML response/);
    expect(() => parseXml('<a/>text')).toThrow(/malformed XML response/);
    expect(() => parseXml('<a x=1/>')).toThrow(/malformed XML response/);
    expect(() => parseXml('<a><b>')).toThrow(/malformed XML response/);
    expect(parseXml('<a>&lt;&#65;&#x42;&amp;</a>').textContent).toBe('<AB&');
  });
});
