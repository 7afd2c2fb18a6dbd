import { DOMParser, type Element } from '@xmldom/xmldom';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * Parses an XML response namespace-aware. A document type declaration is refused outright (no
 * SOAP response has one; it is how entity bombs and external entities arrive), as is any error.
 */
export function parseXml(text: string): Element {
  if (/<!DOCTYPE/i.test(text))
    throw new Error('refused an XML response with a document type declaration');
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`malformed XML response: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
  if (!doc.documentElement) throw new Error('empty XML response');
  return doc.documentElement;
}

/** Child elements by local name, whatever their namespace prefix. */
export const children = (el: Element, name?: string): Element[] => {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (name === undefined || (n as Element).localName === name))
      out.push(n as Element);
  }
  return out;
};

export const child = (el: Element | undefined, name: string): Element | undefined =>
  el ? children(el, name)[0] : undefined;

export const text = (el: Element | undefined): string | undefined => el?.textContent ?? undefined;

/** The xsi:type of an element, read by namespace: servers use different prefixes for it. */
export const xsiType = (el: Element): string | undefined => {
  const value = el.getAttributeNS(XSI, 'type');
  return value ? value.replace(/^.*:/, '') : undefined;
};

/** A path of child names from `el`, e.g. `path(vm, 'backing', 'fileName')`. */
export const path = (el: Element | undefined, ...names: string[]): Element | undefined =>
  names.reduce<Element | undefined>((at, name) => child(at, name), el);

export const escapeXml = (value: string) =>
  value.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );

export type { Element };
