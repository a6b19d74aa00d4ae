// The API client: every request of the web interface goes through here. It talks only to the
// hub's public JSON API (the Hub-compatible routes and /api/vitrine/...), on the same origin.
// Credentials: an access token kept in localStorage (sent as a Bearer token), or the session
// cookie that password sign-in sets (HttpOnly: the page never sees it; state-changing requests
// echo the session's CSRF token).

const TOKEN_KEY = "vitrine.token";
const CSRF_KEY = "vitrine.csrf";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The X-Error-Code header (e.g. the dataset viewer's ResponseNotReady), or "". */
    readonly code: string = "",
  ) {
    super(message);
  }
}

export type RepoType = "model" | "dataset";

export interface RepoSummary {
  id: string;
  author?: string;
  lastModified?: string;
  private?: boolean;
  gated?: boolean | string;
  tags?: string[];
  downloads?: number;
  likes?: number;
}

export interface RepoInfo extends RepoSummary {
  sha?: string;
  cardData?: Record<string, unknown>;
  siblings?: { rfilename: string }[];
  pipeline_tag?: string;
  library_name?: string;
  /** Parameters of the safetensors files by dtype (models with weight files). */
  safetensors?: { parameters: Record<string, number>; total: number };
  /** The first GGUF file's summary. */
  gguf?: { total: number; architecture: string; context_length: number };
}

export interface TreeEntry {
  type: "file" | "directory";
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number };
}

/** An entry of POST /api/{type}s/{id}/paths-info/{rev} with expand. */
export interface PathInfo extends TreeEntry {
  xetHash?: string;
  lastCommit?: { id: string; title: string; date: string };
}

/** A transparency-log entry as GET /api/{type}s/{id}/tlog lists it (docs/transparency.md). */
export interface TlogEntry {
  kind: "ref" | "repo" | "void" | "part" | "sealed";
  time: number;
  actor?: string;
  ref?: string;
  old?: string;
  new?: string;
  forced?: boolean;
  via?: "api" | "git";
  action?: string;
  from?: string;
  repo?: string;
  voids?: number;
  reason?: string;
}

export interface TlogItem {
  index: number;
  leaf_hash: string;
  entry: TlogEntry;
  opened?: { nonce: string; entry: TlogEntry };
}

export interface TlogList {
  tree_size: number;
  truncated: boolean;
  entries: TlogItem[];
}

export interface Commit {
  id: string;
  title: string;
  message: string;
  date: string;
  authors: { user: string }[];
}

export interface LineageEdge {
  relation: string;
  type: RepoType;
  id: string;
  revision: string | null;
  status: "verified" | "declared";
  source: string;
  problems: string[];
}

export interface LineageHit {
  type: RepoType;
  id: string;
  relation: string;
  status: string;
  depth: number;
}

export interface LineageNode {
  id: string;
  revision: string;
  parents: LineageEdge[];
  children: { count: Record<string, number>; total: number; items: LineageHit[] };
}

export interface Card {
  html: string;
  metadata: Record<string, unknown>;
  yamlError: string | null;
  hasCard: boolean;
}

export function storedToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? "";
}

/** Whether a password session is open in this browser (its CSRF token is kept). */
export function hasSession(): boolean {
  return localStorage.getItem(CSRF_KEY) !== null;
}

/** The session's CSRF token, for a request the page builds itself ("" without a session). */
export function csrfToken(): string {
  return localStorage.getItem(CSRF_KEY) ?? "";
}

function headers(method: string, extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  const token = storedToken();
  if (token) h.set("Authorization", `Bearer ${token}`);
  const csrf = localStorage.getItem(CSRF_KEY);
  if (csrf && method !== "GET" && method !== "HEAD") h.set("X-CSRF-Token", csrf);
  return h;
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? "GET").toUpperCase();
  const res = await fetch(path, {
    ...init,
    method,
    headers: headers(method, init.headers),
    credentials: "same-origin",
  });
  if (!res.ok) {
    let message = res.headers.get("X-Error-Message") ?? res.statusText;
    try {
      const body = await res.json();
      if (body && typeof body.error === "string") message = body.error;
    } catch {
      // not JSON: keep the header's message
    }
    throw new ApiError(res.status, message, res.headers.get("X-Error-Code") ?? "");
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await request(path)).json() as Promise<T>;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json() as Promise<T>;
}

export async function getBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await request(path)).arrayBuffer());
}

export async function getText(path: string): Promise<string> {
  return (await request(path)).text();
}

/** Follows the Link: rel="next" pages of a paginated listing, up to `maxPages`. */
export async function getAllPages<T>(path: string, maxPages = 20): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let next: string | null = path;
  for (let page = 0; next && page < maxPages; page++) {
    const res: Response = await request(next);
    items.push(...((await res.json()) as T[]));
    const link = res.headers.get("Link") ?? "";
    const m = /<([^>]+)>;\s*rel="next"/.exec(link);
    next = m ? new URL(m[1], location.href).pathname + new URL(m[1], location.href).search : null;
  }
  return { items, complete: next === null };
}

/** One page of a paginated listing and the path of the next (its Link: rel="next"), or null. */
export async function getPage<T>(path: string): Promise<{ items: T[]; next: string | null }> {
  const res = await request(path);
  const items = (await res.json()) as T[];
  const m = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("Link") ?? "");
  const url = m ? new URL(m[1], location.href) : null;
  return { items, next: url ? url.pathname + url.search : null };
}

/** Branches and tags of a repository (GET /api/{type}s/{id}/refs). */
export interface GitRefs {
  branches: { name: string; ref: string; targetCommit: string }[];
  tags: { name: string; ref: string; targetCommit: string }[];
}

/** A commit's changes (GET /api/vitrine/diff/{type}s/{id}/{rev}, docs/api.md "Commit diffs"). */
export interface CommitDiff {
  commit: Commit & { parents: string[] };
  base?: string; // the commit compared with (?base=)
  files: {
    path: string;
    oldPath?: string;
    status: "added" | "modified" | "deleted" | "renamed" | "typechange";
    binary: boolean;
    oldSize: number | null;
    newSize: number | null;
    additions: number;
    deletions: number;
    patch: string;
    truncated: boolean;
    lfs?: { old: LfsObject | null; new: LfsObject | null };
  }[];
  truncated: boolean;
}

export interface LfsObject {
  oid: string;
  size: number;
  xetHash?: string;
}

/** `alice/m1` → `alice/m1` with each segment percent-encoded. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export function apiBase(type: RepoType, id: string): string {
  return `/api/${type}s/${encodePath(id)}`;
}

/** The page of a repository: /ns/name or /datasets/ns/name. */
export function repoPage(type: RepoType, id: string): string {
  return (type === "dataset" ? "/datasets/" : "/") + encodePath(id);
}

/** The file viewer's page: /[datasets/]ns/name/blob/{rev}/{path}. */
export function blobPage(type: RepoType, id: string, revision: string, path: string): string {
  return `${repoPage(type, id)}/blob/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

/** A folder of a revision: /[datasets/]ns/name/tree/{rev}[/{path}]. */
export function treePage(type: RepoType, id: string, revision: string, path = ""): string {
  return `${repoPage(type, id)}/tree/${encodeURIComponent(revision)}${path ? "/" + encodePath(path) : ""}`;
}

/** The history of a revision: /[datasets/]ns/name/commits/{rev}. */
export function commitsPage(type: RepoType, id: string, revision: string, path = ""): string {
  return `${repoPage(type, id)}/commits/${encodeURIComponent(revision)}${path ? "/" + encodePath(path) : ""}`;
}

/** Two revisions compared: /[datasets/]ns/name/compare/{base}..{head}. */
export function comparePage(type: RepoType, id: string, base: string, head: string): string {
  return `${repoPage(type, id)}/compare/${encodeURIComponent(base)}..${encodeURIComponent(head)}`;
}

/** One commit with its changes: /[datasets/]ns/name/commit/{sha}. */
export function commitPage(type: RepoType, id: string, sha: string): string {
  return `${repoPage(type, id)}/commit/${encodeURIComponent(sha)}`;
}

/** The editor of a text file (the card): /[datasets/]ns/name/edit/{rev}/{path}. */
export function editPage(type: RepoType, id: string, revision: string, path: string): string {
  return `${repoPage(type, id)}/edit/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

/** A repository's settings (visibility, gating, access requests, rename, delete). */
export function settingsPage(type: RepoType, id: string): string {
  return `${repoPage(type, id)}/settings`;
}

/** A user's or an organization's page: /{name}. */
export function profilePage(name: string): string {
  return `/${encodeURIComponent(name)}`;
}

/** A file's bytes as git stores them (an LFS file's pointer), /[datasets/]ns/name/raw/... */
export function rawUrl(type: RepoType, id: string, revision: string, path: string): string {
  return `${repoPage(type, id)}/raw/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

export function downloadUrl(type: RepoType, id: string, revision: string, path: string): string {
  const prefix = type === "dataset" ? "/datasets/" : "/";
  return `${prefix}${encodePath(id)}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

/** A listing, most recently modified first, or most downloaded (last 30 days) first. */
export function listRepos(
  type: RepoType,
  search: string,
  limit = 20,
  sort: "lastModified" | "downloads" = "lastModified",
): Promise<RepoSummary[]> {
  const q = new URLSearchParams({ sort, direction: "-1", limit: String(limit) });
  if (search) q.set("search", search);
  return getJson<RepoSummary[]>(`/api/${type}s?${q}`);
}

export interface Me {
  name: string;
  fullname?: string;
}

export async function whoami(): Promise<Me | null> {
  try {
    return await getJson<Me>("/api/whoami-v2");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** Password sign-in: the hub sets its session cookie and answers the CSRF token. */
export async function signIn(username: string, password: string): Promise<void> {
  localStorage.removeItem(TOKEN_KEY);
  const res = await request("/api/vitrine/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { csrfToken: string };
  localStorage.setItem(CSRF_KEY, body.csrfToken);
}

/** Token sign-in: the token is checked with whoami before it is kept. */
export async function useToken(token: string): Promise<Me> {
  const res = await fetch("/api/whoami-v2", { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, "This token is not valid on this hub");
  localStorage.setItem(TOKEN_KEY, token);
  return (await res.json()) as Me;
}

export async function signOut(): Promise<void> {
  const hadSession = localStorage.getItem(CSRF_KEY) !== null;
  localStorage.removeItem(TOKEN_KEY);
  if (hadSession) {
    try {
      await request("/api/vitrine/logout", { method: "POST" });
    } finally {
      localStorage.removeItem(CSRF_KEY);
    }
  }
}

/** POST /api/repos/create in the caller's namespace; answers the new repository's id. */
export async function createRepo(params: {
  name: string;
  type: RepoType;
  private: boolean;
  license?: string;
  namespace: string;
}): Promise<string> {
  const body: Record<string, unknown> = { name: params.name, type: params.type, private: params.private };
  if (params.license) body.license = params.license;
  await postJson<unknown>("/api/repos/create", body);
  return `${params.namespace}/${params.name}`;
}

/** The text of a caught error, for an alert: the hub's message for an ApiError. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What a page says when the API answers that the repository is not there for this caller. */
export const MISSING_REPO = "This repository does not exist, or you need to sign in to see it.";

/**
 * Whether an error means the repository is missing or hidden from the caller: 401 (anonymous),
 * or a 404 about the repository (not about a revision or a file in it).
 */
export function isMissingRepo(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  return err.status === 401 || (err.status === 404 && /repository/i.test(err.message));
}
