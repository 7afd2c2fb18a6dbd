import { SaxesParser } from 'saxes';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * An element of a parsed response, holding what vim25 needs: its local name, its children, its own
 * text (SOAP responses have no mixed content), its unprefixed `type` attribute (managed object
 * references) and its `xsi:type`, resolved by namespace (servers use different prefixes for it).
 */
export interface Element {
  readonly localName: string;
  readonly children: readonly Element[];
  readonly textContent: string;
  readonly type: string | undefined;
  readonly xsiType: string | undefined;
}

interface OpenElement {
  localName: string;
  children: Element[];
  textContent: string;
  type: string | undefined;
  xsiType: string | undefined;
}

/** Shared by every leaf until it gets a child: most elements of a response are leaves. */
const NO_CHILDREN: Element[] = [];

/**
 * A namespace-aware streaming parser building those elements as the bytes arrive. Elements are
 * matched by local name; prefixes are resolved against the `xmlns` declarations in scope only where
 * the meaning depends on them (`xsi:type`), which keeps the parser off the per-name namespace work
 * that doubled its cost. Attributes are taken one by one as the parser reads them and leaves share
 * one empty child list: a 1,000-VM inventory is ~200,000 elements, and allocations were half the
 * cost. A document type declaration is refused outright (no SOAP response has one; it is how
 * entity bombs and external entities arrive), as is any well-formedness error.
 */
export class XmlTreeBuilder {
  private readonly parser = new SaxesParser();
  private readonly open: OpenElement[] = [];
  /** The namespace declarations each open element made (undefined for most: only the envelope and `val`s declare). */
  private readonly declared: (Map<string, string> | undefined)[] = [];
  private root: Element | undefined;
  // The attributes of the tag being read, collected before its opentag event.
  private type: string | undefined;
  private typed: string | undefined;
  private typedPrefix = '';
  private declaring: Map<string, string> | undefined;

  constructor() {
    this.parser.on('error', (error) => {
      throw new Error(`malformed XML response: ${error.message}`);
    });
    this.parser.on('doctype', () => {
      throw new Error('refused an XML response with a document type declaration');
    });
    this.parser.on('attribute', ({ name, value }) => {
      if (name === 'type') this.type = value;
      else if (name.startsWith('xmlns')) {
        if (name.length === 5 || name.charCodeAt(5) === 58 /* : */)
          (this.declaring ??= new Map()).set(name.slice(6), value);
      } else if (name.endsWith(':type')) {
        this.typed = value;
        this.typedPrefix = name.slice(0, -5);
      }
    });
    this.parser.on('opentag', (tag) => {
      const name = tag.name;
      const el: OpenElement = {
        localName: name.slice(name.indexOf(':') + 1),
        children: NO_CHILDREN,
        textContent: '',
        type: this.type,
        xsiType: undefined,
      };
      const depth = this.open.length;
      if (depth > 0) {
        const parent = this.open[depth - 1] as OpenElement;
        if (parent.children === NO_CHILDREN) parent.children = [el];
        else parent.children.push(el);
      } else this.root ??= el;
      this.open.push(el);
      this.declared.push(this.declaring);
      if (this.typed !== undefined && this.namespaceOf(this.typedPrefix) === XSI)
        el.xsiType = this.typed.slice(this.typed.indexOf(':') + 1);
      this.type = this.typed = this.declaring = undefined;
    });
    this.parser.on('text', (t) => {
      const el = this.open[this.open.length - 1];
      if (el) el.textContent = el.textContent === '' ? t : el.textContent + t;
    });
    this.parser.on('closetag', () => {
      this.open.pop();
      this.declared.pop();
    });
  }

  /** The namespace a prefix is bound to where the parser is (innermost declaration wins). */
  private namespaceOf(prefix: string): string | undefined {
    for (let i = this.declared.length - 1; i >= 0; i--) {
      const uri = this.declared[i]?.get(prefix);
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
export const children = (el: Element, name?: string): readonly Element[] =>
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
