// The fetch that uploads from a password session use (components/UploadPanel.svelte). The
// upload library (@huggingface/hub's commitIter) sends a Bearer token when it has one; a
// session has none: its cookie goes with every same-origin request, and state-changing ones
// must carry the session's CSRF token, which this fetch adds. Request bodies the library marks
// with a progress callback (the LFS uploads) go through XMLHttpRequest, whose upload events
// report how far they are; the rest through fetch.
import { csrfToken } from "./api";

interface ProgressHint {
  progressCallback?: (fraction: number) => void;
  part?: number;
  numParts?: number;
}

// Parts of one multipart upload report into one callback: each part's fraction is kept.
const partsDone = new WeakMap<(fraction: number) => void, Map<number, number>>();

function report(hint: ProgressHint, fraction: number) {
  const callback = hint.progressCallback;
  if (!callback) return;
  if (hint.part === undefined || !hint.numParts) {
    callback(Math.min(fraction, 0.999));
    return;
  }
  let parts = partsDone.get(callback);
  if (!parts) partsDone.set(callback, (parts = new Map()));
  parts.set(hint.part, fraction);
  let sum = 0;
  for (const f of parts.values()) sum += f;
  callback(Math.min(sum / hint.numParts, 0.999));
}

function sameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

function withXhr(url: string, init: RequestInit, headers: Headers, hint: ProgressHint): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method ?? "PUT", url, true);
    headers.forEach((value, key) => xhr.setRequestHeader(key, value));
    xhr.responseType = "blob";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && e.total > 0) report(hint, e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      const h = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon > 0) h.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      resolve(new Response(xhr.status === 204 ? null : xhr.response, { status: xhr.status, statusText: xhr.statusText, headers: h }));
    });
    xhr.addEventListener("error", () => reject(new TypeError(`upload to ${url} failed`)));
    xhr.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    init.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(init.body as XMLHttpRequestBodyInit);
  });
}

export const sessionFetch: typeof fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const local = sameOrigin(url);
  if (local && method !== "GET" && method !== "HEAD" && csrfToken()) headers.set("X-CSRF-Token", csrfToken());
  const hint = (init as (RequestInit & { progressHint?: ProgressHint }) | undefined)?.progressHint;
  const body = init?.body;
  if (hint?.progressCallback && typeof XMLHttpRequest !== "undefined" && (body instanceof Blob || body instanceof ArrayBuffer || typeof body === "string")) {
    return withXhr(url, { ...init, method }, headers, hint);
  }
  return fetch(input instanceof Request ? input : url, { ...init, method, headers, credentials: local ? "same-origin" : "omit" });
};
