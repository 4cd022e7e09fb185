/**
 * Text made safe for XML 1.0 attribute values and character data. Characters that XML 1.0 forbids
 * anywhere (most C0 controls, lone surrogates, U+FFFE and U+FFFF) are removed, because no escape
 * can represent them, and markup characters are escaped.
 */

// Allowed by XML 1.0: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const ILLEGAL_XML_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the class lists the control characters XML allows.
  /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function stripIllegalXml(text: string): string {
  return text.replace(ILLEGAL_XML_CHARACTERS, '');
}

export function escapeXml(text: string): string {
  return stripIllegalXml(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Renders an element with escaped attributes. `children` are already-rendered XML. */
export function element(
  name: string,
  attributes: Record<string, string | number | undefined>,
  children: string[] = [],
): string {
  const rendered = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  if (children.length === 0) return `<${name}${rendered}/>`;
  return `<${name}${rendered}>${children.join('')}</${name}>`;
}

/** Character data inside an element, escaped (not CDATA, so `]]>` in a message is harmless). */
export function textElement(
  name: string,
  attributes: Record<string, string | number | undefined>,
  text: string,
): string {
  const open = element(name, attributes).replace(/\/>$/, '>');
  return `${open}${escapeXml(text)}</${name}>`;
}
