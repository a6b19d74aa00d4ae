// Publishing calls of the web interface: the card editor (YAML validation, a one-file commit
// with parentCommit), repository settings (visibility, gating, rename, delete) and access
// requests of gated repositories. Each is a public API route; the hub decides who may do what
// and its refusal comes back as an ApiError carrying the hub's message.
import { ApiError, apiBase, encodePath, getJson, getText, postJson, rawUrl, request, type Card, type RepoType } from "./api";

export interface YamlCheck {
  errors: string[];
  warnings: string[];
}

/**
 * POST /api/validate-yaml: the hub's verdict on a README's front matter. 400 with
 * {errors: [{message}]} when it is not valid YAML; 200 with warnings (or nothing) otherwise.
 * Sent without credentials: the route is public and needs no CSRF token.
 */
export async function validateYaml(type: RepoType, content: string, signal?: AbortSignal): Promise<YamlCheck> {
  const res = await fetch("/api/validate-yaml", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ repoType: type, content }),
    credentials: "omit",
    signal,
  });
  let body: { errors?: { message?: string }[]; warnings?: { message?: string }[] } = {};
  try {
    body = await res.json();
  } catch {
    // not JSON: judged by the status below
  }
  const messages = (list?: { message?: string }[]) => (list ?? []).map((m) => String(m.message ?? ""));
  if (!res.ok && !body.errors?.length) {
    throw new ApiError(res.status, res.headers.get("X-Error-Message") ?? res.statusText);
  }
  return { errors: messages(body.errors), warnings: messages(body.warnings) };
}

/**
 * The hub's rendering of a README that is not committed (POST /api/vitrine/card/...): the same
 * renderer and sanitizer as the card page, relative links resolved at `revision`. Needs write
 * access to the repository.
 */
export function previewCard(type: RepoType, id: string, content: string, revision: string): Promise<Card> {
  return postJson<Card>(`/api/vitrine/card/${type}s/${encodePath(id)}`, { content, revision });
}

/** Base64 of a string's UTF-8 bytes (btoa takes Latin-1 only). */
function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * One file committed through the Hub commit API (NDJSON). `parentCommit` is the commit the
 * editor loaded: if the branch moved since, the hub refuses with 412 and its message instead of
 * overwriting the other change. Answers the new commit's id.
 */
export async function commitFile(params: {
  type: RepoType;
  id: string;
  revision: string;
  path: string;
  content: string;
  summary: string;
  description?: string;
  parentCommit?: string;
}): Promise<string> {
  const header: Record<string, string> = { summary: params.summary };
  if (params.description) header.description = params.description;
  if (params.parentCommit) header.parentCommit = params.parentCommit;
  return postCommit(params.type, params.id, params.revision, [
    { key: "header", value: header },
    { key: "file", value: { path: params.path, encoding: "base64", content: base64Utf8(params.content) } },
  ]);
}

/** POST /api/{type}s/{id}/commit/{revision} with NDJSON operation lines; the new commit's id. */
async function postCommit(type: RepoType, id: string, revision: string, lines: { key: string; value: unknown }[]): Promise<string> {
  const res = await request(`${apiBase(type, id)}/commit/${encodeURIComponent(revision)}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-ndjson" },
    body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
  });
  const body = (await res.json()) as { commitOid?: string };
  return body.commitOid ?? "";
}

/**
 * A commit that deletes one file (or, with `folder`, a folder and everything in it) on a branch,
 * through the Hub commit API. Answers the new commit's id.
 */
export async function deletePath(params: {
  type: RepoType;
  id: string;
  revision: string;
  path: string;
  summary: string;
  folder?: boolean;
}): Promise<string> {
  return postCommit(params.type, params.id, params.revision, [
    { key: "header", value: { summary: params.summary } },
    { key: params.folder ? "deletedFolder" : "deletedFile", value: { path: params.path } },
  ]);
}

export type Gating = false | "auto" | "manual";

/** PUT /api/{type}s/{id}/settings; answers the settings as the hub now holds them. */
export async function updateSettings(
  type: RepoType,
  id: string,
  changes: { private?: boolean; gated?: Gating },
): Promise<{ private: boolean; gated: Gating }> {
  const res = await request(`${apiBase(type, id)}/settings`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(changes),
  });
  return res.json() as Promise<{ private: boolean; gated: Gating }>;
}

/** POST /api/repos/move: a new name, or another namespace the caller may write to. */
export async function moveRepo(type: RepoType, fromRepo: string, toRepo: string): Promise<void> {
  await postJson<unknown>("/api/repos/move", { fromRepo, toRepo, type });
}

/** DELETE /api/repos/delete {name, organization, type}. */
export async function deleteRepo(type: RepoType, id: string): Promise<void> {
  const slash = id.indexOf("/");
  await request("/api/repos/delete", {
    method: "DELETE",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: id.slice(slash + 1), organization: id.slice(0, slash), type }),
  });
}

export type RequestStatus = "pending" | "accepted" | "rejected";

export interface AccessRequest {
  user: { user: string; fullname?: string; email?: string | null };
  status: RequestStatus;
  timestamp: string;
  fields: Record<string, unknown>;
}

/** GET .../user-access-request/{status}: needs the right to manage the repository. */
export function accessRequests(type: RepoType, id: string, status: RequestStatus): Promise<AccessRequest[]> {
  return getJson<AccessRequest[]>(`${apiBase(type, id)}/user-access-request/${status}`);
}

/** Accepts or rejects a user's request (or puts it back to pending). */
export async function handleRequest(type: RepoType, id: string, user: string, status: RequestStatus): Promise<void> {
  await postJson<unknown>(`${apiBase(type, id)}/user-access-request/handle`, { user, status });
}

/** Grants a user access without a request of theirs. */
export async function grantAccess(type: RepoType, id: string, user: string): Promise<void> {
  await postJson<unknown>(`${apiBase(type, id)}/user-access-request/grant`, { user });
}

/** POST .../ask-access with the fields the owner asks for (and an optional reason). */
export async function askAccess(type: RepoType, id: string, fields: Record<string, unknown>): Promise<void> {
  await postJson<unknown>(`${apiBase(type, id)}/ask-access`, fields);
}

export type FileAccess =
  | { kind: "granted" }
  | { kind: "pending" | "rejected" | "none"; message: string }
  | { kind: "signin"; message: string };

/**
 * Where the caller stands with a gated repository's files: GET .../auth-check answers 200 with
 * access, else GatedRepo (401 anonymous, 403 signed in) whose message says whether a request
 * is pending or was rejected (the Hub's wording).
 */
export async function fileAccess(type: RepoType, id: string): Promise<FileAccess> {
  try {
    await request(`${apiBase(type, id)}/auth-check`);
    return { kind: "granted" };
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
    if (e.status === 401) return { kind: "signin", message: e.message };
    if (/awaiting a review/i.test(e.message)) return { kind: "pending", message: e.message };
    if (/has been rejected/i.test(e.message)) return { kind: "rejected", message: e.message };
    return { kind: "none", message: e.message };
  }
}

/** A text file at a commit (the raw bytes git holds), or null when the commit has no such file. */
export async function textAt(type: RepoType, id: string, commit: string, path: string): Promise<string | null> {
  try {
    return await getText(rawUrl(type, id, commit, path));
  } catch (e) {
    // The revision is a commit id the hub just resolved: a 404 is the missing file.
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** POST /api/{type}s/{id}/branch/{name} from `from` (a branch, tag or commit id). */
export async function createBranch(type: RepoType, id: string, name: string, from: string): Promise<void> {
  await postJson<unknown>(`${apiBase(type, id)}/branch/${encodeURIComponent(name)}`, { startingPoint: from });
}

/** POST /api/{type}s/{id}/tag/{revision} {tag}: a tag on what `revision` names. */
export async function createTag(type: RepoType, id: string, tag: string, revision: string): Promise<void> {
  await postJson<unknown>(`${apiBase(type, id)}/tag/${encodeURIComponent(revision)}`, { tag });
}

/** DELETE /api/{type}s/{id}/branch/{name} or /tag/{name}. */
export async function deleteRef(type: RepoType, id: string, kind: "branch" | "tag", name: string): Promise<void> {
  await request(`${apiBase(type, id)}/${kind}/${encodeURIComponent(name)}`, { method: "DELETE" });
}
