// Client-side routing on the History API. The hub answers index.html for every page URL
// (/, /{page}, /{ns}/{name}, /datasets/{ns}/{name}, and under a repository blob/, edit/, tree/,
// commits/, commit/ and settings), so each of these can be opened directly.
import { writable } from "svelte/store";
import type { RepoType } from "./api";

export type Route =
  | { page: "home"; search: string }
  | { page: "list"; type: RepoType; search: string }
  | { page: "repo"; type: RepoType; id: string }
  | { page: "blob"; type: RepoType; id: string; revision: string; path: string }
  | { page: "tree"; type: RepoType; id: string; revision: string; path: string }
  | { page: "edit"; type: RepoType; id: string; revision: string; path: string }
  | { page: "commits"; type: RepoType; id: string; revision: string; path: string }
  | { page: "commit"; type: RepoType; id: string; sha: string }
  | { page: "compare"; type: RepoType; id: string; base: string; head: string }
  | { page: "settings"; type: RepoType; id: string }
  | { page: "profile"; name: string }
  | { page: "tokens" }
  | { page: "signin" }
  | { page: "new" }
  | { page: "notfound" };

/** Names that are pages of the hub, never a user's or organization's profile. */
const RESERVED = new Set(["models", "datasets", "login", "new", "settings", "api", "assets", "spaces", "tlog"]);

export function parseRoute(pathname: string, search: string): Route {
  const q = new URLSearchParams(search).get("search") ?? "";
  let seg: string[];
  try {
    seg = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: "notfound" };
  }
  if (seg.length === 0) return { page: "home", search: q };
  if (seg.length === 1 && seg[0] === "models") return { page: "list", type: "model", search: q };
  if (seg.length === 1 && seg[0] === "datasets") return { page: "list", type: "dataset", search: q };
  if (seg.length === 1 && seg[0] === "login") return { page: "signin" };
  if (seg.length === 1 && seg[0] === "new") return { page: "new" };
  if (seg.length === 2 && seg[0] === "settings" && seg[1] === "tokens") return { page: "tokens" };
  if (seg.length === 1 && !RESERVED.has(seg[0])) return { page: "profile", name: seg[0] };
  // Pages under a repository: [datasets/]ns/name/{blob,edit}/{rev}/{path}, .../tree/{rev}[/{path}],
  // .../commits/{rev}[/{path}], .../commit/{sha}, .../compare/{base}..{head}, .../settings. The revision is one segment: refs/pr/1
  // is written refs%2Fpr%2F1.
  const d = seg[0] === "datasets" ? 1 : 0;
  const type: RepoType = d ? "dataset" : "model";
  const id = `${seg[d]}/${seg[d + 1]}`;
  const what = seg[d + 2];
  const rest = seg.length - (d + 3);
  if ((what === "blob" || what === "edit") && rest >= 2) {
    return { page: what, type, id, revision: seg[d + 3], path: seg.slice(d + 4).join("/") };
  }
  if (what === "tree" && rest >= 1) return { page: "tree", type, id, revision: seg[d + 3], path: seg.slice(d + 4).join("/") };
  if (what === "commits" && rest >= 1) return { page: "commits", type, id, revision: seg[d + 3], path: seg.slice(d + 4).join("/") };
  if (what === "commit" && rest === 1) return { page: "commit", type, id, sha: seg[d + 3] };
  if (what === "compare" && rest === 1) {
    // {base}..{head}, the two trees compared as `git diff base..head` does (no merge base);
    // git names never hold "..", so the first ".." splits them. A lone revision is compared
    // with main.
    const range = seg[d + 3];
    const dots = range.indexOf("..");
    if (dots < 0) return { page: "compare", type, id, base: range, head: "main" };
    return { page: "compare", type, id, base: range.slice(0, dots), head: range.slice(dots + 2) };
  }
  if (what === "settings" && rest === 0) return { page: "settings", type, id };
  if (seg.length === 3 && seg[0] === "datasets") return { page: "repo", type: "dataset", id: `${seg[1]}/${seg[2]}` };
  if (seg.length === 2 && seg[0] !== "datasets") return { page: "repo", type: "model", id: `${seg[0]}/${seg[1]}` };
  return { page: "notfound" };
}

export const route = writable<Route>(parseRoute(location.pathname, location.search));

export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  route.set(parseRoute(location.pathname, location.search));
}

/** A same-origin link to one of the application's pages (not a download or an API URL). */
function isPageLink(a: HTMLAnchorElement): boolean {
  if (a.origin !== location.origin || a.target || a.hasAttribute("download")) return false;
  return parseRoute(a.pathname, a.search).page !== "notfound";
}

/** Takes over clicks on page links and the browser's back and forward buttons. */
export function startRouter(): void {
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.target as Element | null)?.closest("a");
    if (!a || !isPageLink(a)) return;
    event.preventDefault();
    if (a.pathname + a.search !== location.pathname + location.search) navigate(a.pathname + a.search);
  });
  window.addEventListener("popstate", () => route.set(parseRoute(location.pathname, location.search)));
}
