import { SaxesParser } from 'saxes';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * An element of a parsed response, holding what vim25 needs: its local name, its children, its own
 * text (SOAP responses have no mixed content), its unprefixed `type` attribute (managed object
 * references) and its `xsi:type`, resolved by namespace (servers use different prefixes for it).
 */
export interface Element {
  readonly localName: string;
  readonly children: Element[];
  textContent: string;
  readonly type: string | undefined;
  readonly xsiType: string | undefined;
}

/**
 * A namespace-aware streaming parser building those elements as the bytes arrive. A document type
 * declaration is refused outright (no SOAP response has one; it is how entity bombs and external
 * entities arrive), as is any well-formedness error.
 */
export class XmlTreeBuilder {
  private readonly parser = new SaxesParser({ xmlns: true });
  private readonly stack: Element[] = [];
  private root: Element | undefined;

  constructor() {
    this.parser.on('error', (error) => {
      throw new Error(`malformed XML response: ${error.message}`);
    });
    this.parser.on('doctype', () => {
      throw new Error('refused an XML response with a document type declaration');
    });
    this.parser.on('opentag', (tag) => {
      const attrs = tag.attributes;
      let type: string | undefined;
      let xsiType: string | undefined;
      for (const key in attrs) {
        const a = attrs[key];
        if (!a) continue;
        if (a.uri === XSI && a.local === 'type') xsiType = a.value.slice(a.value.indexOf(':') + 1);
        else if (a.uri === '' && a.local === 'type') type = a.value;
      }
      const el: Element = { localName: tag.local, children: [], textContent: '', type, xsiType };
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.children.push(el);
      else this.root ??= el;
      this.stack.push(el);
    });
    this.parser.on('text', (t) => {
      const el = this.stack[this.stack.length - 1];
      if (el) el.textContent += t;
    });
    this.parser.on('closetag', () => void this.stack.pop());
  }

  write(chunk: string): void {
    this.parser.write(chunk);
  }

  close(): Element {
    this.parser.close();
    if (!this.root) throw new Error('empty XML response');
    return this.root;
  }
}

export function parseXml(text: string): Element {
  const builder = new XmlTreeBuilder();
  builder.write(text);
  return builder.close();
}

/** Child elements by local name, whatever their namespace prefix. */
export const children = (el: Element, name?: string): Element[] =>
  name === undefined ? el.children : el.children.filter((c) => c.localName === name);

export const child = (el: Element | undefined, name: string): Element | undefined =>
  el?.children.find((c) => c.localName === name);

export const text = (el: Element | undefined): string | undefined => el?.textContent;

export const xsiType = (el: Element): string | undefined => el.xsiType;

/** A path of child names from `el`, e.g. `path(vm, 'backing', 'fileName')`. */
export const path = (el: Element | undefined, ...names: string[]): Element | undefined =>
  names.reduce<Element | undefined>((at, name) => child(at, name), el);

export const escapeXml = (value: string) =>
  value.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
