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
 * A namespace-aware streaming parser building those elements as the bytes arrive. Elements are
 * matched by local name; prefixes are resolved against the `xmlns` declarations in scope only where
 * the meaning depends on them (`xsi:type`), which keeps the parser off the per-name namespace work
 * that doubled its cost. A document type declaration is refused outright (no SOAP response has
 * one; it is how entity bombs and external entities arrive), as is any well-formedness error.
 */
export class XmlTreeBuilder {
  private readonly parser = new SaxesParser();
  /** Open elements, each with the namespace declarations it made (rare: mostly the envelope). */
  private readonly stack: { el: Element; declared: Map<string, string> | undefined }[] = [];
  private root: Element | undefined;

  constructor() {
    this.parser.on('error', (error) => {
      throw new Error(`malformed XML response: ${error.message}`);
    });
    this.parser.on('doctype', () => {
      throw new Error('refused an XML response with a document type declaration');
    });
    this.parser.on('opentag', (tag) => {
      const attrs = tag.attributes as Record<string, string>;
      let type: string | undefined;
      let typed: { prefix: string; value: string } | undefined;
      let declared: Map<string, string> | undefined;
      for (const name in attrs) {
        const value = attrs[name] as string;
        if (name === 'type') type = value;
        else if (name === 'xmlns' || name.startsWith('xmlns:'))
          (declared ??= new Map()).set(name.slice(6), value);
        else if (name.endsWith(':type')) typed = { prefix: name.slice(0, -5), value };
      }
      const el: Element = {
        localName: tag.name.slice(tag.name.indexOf(':') + 1),
        children: [],
        textContent: '',
        type,
        xsiType: undefined,
      };
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.el.children.push(el);
      else this.root ??= el;
      this.stack.push({ el, declared });
      if (typed && this.namespaceOf(typed.prefix) === XSI)
        (el as { xsiType: string | undefined }).xsiType = typed.value.slice(
          typed.value.indexOf(':') + 1,
        );
    });
    this.parser.on('text', (t) => {
      const open = this.stack[this.stack.length - 1];
      if (open) open.el.textContent += t;
    });
    this.parser.on('closetag', () => void this.stack.pop());
  }

  /** The namespace a prefix is bound to where the parser is (innermost declaration wins). */
  private namespaceOf(prefix: string): string | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const uri = this.stack[i]?.declared?.get(prefix);
      if (uri !== undefined) return uri;
    }
    return undefined;
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
