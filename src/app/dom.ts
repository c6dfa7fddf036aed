// Small DOM helpers for the page: typed element lookup and element builders for HTML and SVG.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Attribute values; undefined leaves the attribute out. */
type Attrs = Record<string, string | number | undefined>;

/** The element with this id, of the given class; throws when the page lacks it (a page bug). */
export function byId<T extends HTMLElement = HTMLElement>(
  id: string,
  kind: new () => T = HTMLElement as unknown as new () => T,
): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`index.html has no #${id} of the expected kind`);
  return element;
}

function setAttrs(element: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) element.setAttribute(name, String(value));
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttrs(element, attrs);
  element.append(...children);
  return element;
}

/** An SVG element with attributes and children (strings become text nodes). */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttrs(element, attrs);
  element.append(...children);
  return element;
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A number in compact scientific or fixed notation, e.g. 3.21e-7 or 0.0412; "0" and "∞" as such. */
export function fmt(value: number, digits = 3): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '−∞' : 'NaN';
  const a = Math.abs(value);
  const text = a >= 1e-3 && a < 1e4 ? value.toPrecision(digits) : value.toExponential(digits - 1);
  return text.replaceAll('-', '−');
}
