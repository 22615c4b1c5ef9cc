import { For, type JSX } from "solid-js";
import type { ListRouteName } from "../lib/router.js";
import { Icon, type IconName } from "./icons.js";

const ITEMS: Array<{ name: ListRouteName; href: string; label: string; short: string; icon: IconName }> = [
  { name: "active", href: "/", label: "Active", short: "Active", icon: "active" },
  { name: "all", href: "/all", label: "All conversations", short: "All", icon: "chats" },
  { name: "people", href: "/people", label: "People", short: "People", icon: "people" },
  { name: "settings", href: "/settings", label: "Settings", short: "Settings", icon: "settings" },
];

/** Section navigation: a bottom tab bar on phones, a rail on desktop. */
export function Nav(props: { current: ListRouteName | null; onNavigate: (href: string) => void }): JSX.Element {
  return (
    <nav class="app-nav" aria-label="Sections">
      <ul>
        <For each={ITEMS}>
          {(item) => (
            <li>
              <a
                class="nav-link"
                href={item.href}
                aria-label={item.label === item.short ? undefined : item.label}
                aria-current={props.current === item.name ? "page" : undefined}
                onClick={(e) => {
                  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                  e.preventDefault();
                  props.onNavigate(item.href);
                }}
              >
                <Icon name={item.icon} />
                <span>{item.short}</span>
              </a>
            </li>
          )}
        </For>
      </ul>
    </nav>
  );
}
