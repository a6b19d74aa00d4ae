// Account calls of the web interface: a user's or an organization's overview and repositories
// (profile pages), and the signed-in user's access tokens (/settings/tokens). Each is a public
// API route; the hub decides what the caller may see or do.
import { ApiError, getAllPages, getJson, postJson, request, type RepoSummary, type RepoType } from "./api";

/** GET /api/users/{name}/overview (the Hub's shape, as huggingface_hub's User reads it). */
export interface UserOverview {
  type: "user";
  user: string;
  fullname: string;
  avatarUrl: string;
  createdAt?: string;
  numModels?: number;
  numDatasets?: number;
  orgs?: { name: string; fullname: string }[];
}

/** GET /api/organizations/{name}/overview (huggingface_hub's Organization). */
export interface OrgOverview {
  type: "org";
  name: string;
  fullname: string;
  avatarUrl: string;
  numUsers?: number;
  numModels?: number;
  numDatasets?: number;
}

export interface OrgMember {
  user: string;
  fullname: string;
  role?: string;
}

export type Profile = { kind: "user"; user: UserOverview } | { kind: "org"; org: OrgOverview; members: OrgMember[] };

/** A user, else an organization of that name; null when neither exists. */
export async function loadProfile(name: string): Promise<Profile | null> {
  const enc = encodeURIComponent(name);
  try {
    return { kind: "user", user: await getJson<UserOverview>(`/api/users/${enc}/overview`) };
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  try {
    const [org, members] = await Promise.all([
      getJson<OrgOverview>(`/api/organizations/${enc}/overview`),
      getJson<OrgMember[]>(`/api/organizations/${enc}/members`),
    ]);
    return { kind: "org", org, members };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** A namespace's repositories of one type, newest change first; private ones only if the hub shows them to the caller. */
export function reposOf(type: RepoType, author: string): Promise<{ items: RepoSummary[]; complete: boolean }> {
  const q = new URLSearchParams({ author, sort: "lastModified", direction: "-1", limit: "100" });
  return getAllPages<RepoSummary>(`/api/${type}s?${q}`, 5);
}

/** An access token as GET /api/vitrine/tokens lists it (never its secret). */
export interface TokenInfo {
  id: number;
  name: string;
  role: "read" | "write" | "fineGrained";
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface CreatedToken extends TokenInfo {
  token: string;
}

export function listTokens(): Promise<TokenInfo[]> {
  return getJson<TokenInfo[]>("/api/vitrine/tokens");
}

export function createToken(params: { name: string; role: string; scopes?: string[]; expiresIn?: string }): Promise<CreatedToken> {
  return postJson<CreatedToken>("/api/vitrine/tokens", params);
}

export async function revokeToken(id: number): Promise<void> {
  await request(`/api/vitrine/tokens/${id}`, { method: "DELETE" });
}

/** What a fine-grained scope may do, as the hub spells it (`namespace:alice=read,write`). */
export const PERMISSIONS = ["read", "write", "manage"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The Hub's names for the permissions, shown next to Vitrine's. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  read: "Read files and metadata (repo.content.read)",
  write: "Commit, branches and tags (repo.write)",
  manage: "Settings, rename, delete, access requests (repo.manage)",
};

/**
 * One scope in the hub's syntax. `target` is a namespace (`alice`), a model (`alice/m`) or a
 * dataset (`datasets/alice/d`).
 */
export function scopeSpec(target: string, permissions: Permission[]): string {
  const t = target.trim().replace(/^\/+|\/+$/g, "");
  let kind = "namespace";
  let name = t;
  if (t.startsWith("datasets/")) {
    kind = "dataset";
    name = t.slice("datasets/".length);
  } else if (t.startsWith("models/")) {
    kind = "model";
    name = t.slice("models/".length);
  } else if (t.includes("/")) {
    kind = "model";
  }
  return `${kind}:${name}=${permissions.join(",")}`;
}

/** `namespace:alice=read,write` → `alice: read, write`, for listings. */
export function describeScope(spec: string): string {
  const m = /^(namespace|model|dataset):([^=]*)=(.*)$/.exec(spec);
  if (!m) return spec;
  const where = m[1] === "namespace" ? `${m[2]} (all)` : m[1] === "dataset" ? `dataset ${m[2]}` : `model ${m[2]}`;
  return `${where}: ${m[3].split(",").join(", ")}`;
}
