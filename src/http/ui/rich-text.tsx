import type { ComponentChildren } from "preact";

const marker = (name: string) => `\u0000${name}\u0000`;

/**
 * A translated sentence with elements inside it (a name in bold, a role in code): the catalog
 * keeps the whole sentence, so each language orders its words; the elements fill placeholders.
 */
export function RichText(props: { format: (values: Record<string, string>) => string; elements: Record<string, ComponentChildren> }) {
  const text = props.format(Object.fromEntries(Object.keys(props.elements).map((name) => [name, marker(name)])));
  return <>{text.split("\u0000").map((part, index) => (index % 2 === 1 ? props.elements[part] : part))}</>;
}
