import type { JSX } from "solid-js";

/** Background colours that all keep white initials above 4.5:1. */
const COLOURS = ["#1d4ed8", "#7c3aed", "#047857", "#be185d", "#0e7490", "#4338ca", "#b91c1c", "#a21caf"];

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase();
}

function colourFor(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return COLOURS[h % COLOURS.length] as string;
}

/** Decorative: the name is always next to it. A group's is a rounded square. */
export function Avatar(props: { id: string; name: string; online?: boolean; group?: boolean }): JSX.Element {
  return (
    <span
      class="avatar"
      classList={{ group: props.group === true }}
      aria-hidden="true"
      style={{ background: colourFor(props.id) }}
      data-online={props.online ? "true" : "false"}
    >
      {initials(props.name)}
    </span>
  );
}
