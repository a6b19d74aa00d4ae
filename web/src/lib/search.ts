// The search of the /models and /datasets pages: the form's state, its page URL (so a search
// can be linked and reloaded) and the listing query it sends (GET /api/{type}s, the same
// parameters the Hub clients send; docs/api.md "Listings").
import { getJson, type RepoSummary, type RepoType } from "./api";

export const PAGE_SIZE = 20;

export interface SearchState {
  search: string;
  /** models: pipeline_tag; datasets: task_categories */
  task: string;
  library: string;
  license: string;
  language: string;
  author: string;
  /** free tags (the listing's filter=), comma-separated; all must match */
  tag: string;
  sort: string;
  /** 1-based page number */
  page: number;
}

export interface SortChoice {
  value: string;
  label: string;
}

export const SORTS: SortChoice[] = [
  { value: "lastModified", label: "Recently updated" },
  { value: "downloads", label: "Most downloads" },
  { value: "likes", label: "Most likes" },
  { value: "createdAt", label: "Recently created" },
  { value: "id", label: "Name (A–Z)" },
];

// Common values; the license, language and author fields also take any value typed.
export const MODEL_TASKS = [
  "text-generation", "text-classification", "token-classification", "question-answering", "fill-mask",
  "summarization", "translation", "text2text-generation", "feature-extraction", "sentence-similarity",
  "zero-shot-classification", "image-classification", "object-detection", "image-segmentation",
  "text-to-image", "image-to-text", "automatic-speech-recognition", "text-to-speech", "audio-classification",
  "reinforcement-learning",
];
export const DATASET_TASKS = [
  "text-generation", "text-classification", "token-classification", "question-answering", "summarization",
  "translation", "fill-mask", "image-classification", "object-detection", "automatic-speech-recognition",
  "tabular-classification", "other",
];
export const LIBRARIES = [
  "transformers", "safetensors", "gguf", "peft", "diffusers", "sentence-transformers", "timm", "pytorch",
  "onnx", "mlx",
];
export const LICENSES = [
  "apache-2.0", "mit", "bsd-3-clause", "gpl-3.0", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc0-1.0",
  "odc-by", "openrail", "llama3", "other",
];
export const LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "nl", "zh", "ja", "ko", "ar", "hi", "ru", "multilingual"];

const FIELDS = ["search", "task", "library", "license", "language", "author", "tag", "sort"] as const;

/** The state a page URL's query string describes (unknown parameters ignored). */
export function stateFromUrl(query: string): SearchState {
  const q = new URLSearchParams(query);
  const page = Number.parseInt(q.get("p") ?? "1", 10);
  const state: SearchState = {
    search: "", task: "", library: "", license: "", language: "", author: "", tag: "", sort: "lastModified",
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
  for (const f of FIELDS) {
    const v = q.get(f);
    if (v) state[f] = v;
  }
  if (!SORTS.some((s) => s.value === state.sort)) state.sort = "lastModified";
  return state;
}

/** The page URL's query string for a state (defaults left out). */
export function urlQuery(state: SearchState): string {
  const q = new URLSearchParams();
  for (const f of FIELDS) {
    const v = state[f].trim();
    if (v && !(f === "sort" && v === "lastModified")) q.set(f, v);
  }
  if (state.page > 1) q.set("p", String(state.page));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The listing request for a state: GET /api/{type}s?... */
export function listingUrl(type: RepoType, state: SearchState): string {
  const q = new URLSearchParams();
  if (state.search.trim()) q.set("search", state.search.trim());
  if (state.task) q.set(type === "model" ? "pipeline_tag" : "task_categories", state.task);
  if (type === "model" && state.library) q.set("library", state.library);
  if (state.license.trim()) q.set("license", state.license.trim());
  if (state.language.trim()) q.set("language", state.language.trim());
  if (state.author.trim()) q.set("author", state.author.trim());
  for (const t of state.tag.split(",")) if (t.trim()) q.append("filter", t.trim());
  q.set("sort", state.sort);
  q.set("direction", state.sort === "id" ? "1" : "-1");
  // One more than a page: whether a next page exists, without counting everything.
  q.set("limit", String(PAGE_SIZE + 1));
  if (state.page > 1) q.set("cursor", String((state.page - 1) * PAGE_SIZE));
  return `/api/${type}s?${q}`;
}

export interface SearchResult {
  items: RepoSummary[];
  hasNext: boolean;
}

export async function runSearch(type: RepoType, state: SearchState): Promise<SearchResult> {
  const rows = await getJson<RepoSummary[]>(listingUrl(type, state));
  return { items: rows.slice(0, PAGE_SIZE), hasNext: rows.length > PAGE_SIZE };
}
